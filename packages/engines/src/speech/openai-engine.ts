/**
 * Adapter for any OpenAI-compatible text-to-speech server:
 *   POST {baseUrl}/v1/audio/speech
 *   Authorization: Bearer <apiKey>            (only when a key is configured)
 *   Content-Type: application/json
 *   {"model": ..., "input": <text>, "voice": ..., "response_format": "wav", "speed"?: ...}
 * and the answer body is the WAV. Word timings are estimated (see estimate.ts); phonemes are empty.
 * speed: the configured value, else derived from the voice profile's words per minute relative to
 * TYPICAL_WPM (clamped to 0.5-2.0, two decimals), else not sent.
 */
import { MySpinBotError } from '@myspinbot/contracts';
import { normaliseBaseUrl } from '../http/base-url.js';
import type { SpeechResult } from '../types.js';
import { throwIfAborted } from './abort.js';
import { type HttpEngineConfig, postForBytes, speechResultFromWav } from './http.js';
import type { SpeechEngine, SpeechEngineDescription, SpeechSynthesisOptions } from './types.js';

export const OPENAI_ENGINE_NAME = 'openai-speech';
/** Speaking rate the OpenAI-style voices have at speed 1 (words per minute, approximate). */
export const TYPICAL_WPM = 160;

export interface OpenAISpeechEngineConfig extends HttpEngineConfig {
  /** Default "tts-1". */
  model?: string;
  /** Server voice name. Default "alloy". */
  voice?: string;
  /** Fixed speed (0.25-4.0); overrides the profile-derived one. */
  speed?: number | null;
}

export class OpenAISpeechEngine implements SpeechEngine {
  private readonly url: string;
  private readonly config: OpenAISpeechEngineConfig;

  constructor(config: OpenAISpeechEngineConfig) {
    this.url = `${normaliseBaseUrl(config.baseUrl, OPENAI_ENGINE_NAME)}/v1/audio/speech`;
    this.config = config;
  }

  describe(): SpeechEngineDescription {
    return { name: OPENAI_ENGINE_NAME, builtIn: false };
  }

  private speedFor(options: SpeechSynthesisOptions): number | undefined {
    const fixed = this.config.speed;
    if (fixed !== null && fixed !== undefined) return Math.min(4, Math.max(0.25, fixed));
    const wpm = options.voice?.wordsPerMinute;
    if (wpm === null || wpm === undefined || !Number.isFinite(wpm) || wpm <= 0) return undefined;
    return Math.round(Math.min(2, Math.max(0.5, wpm / TYPICAL_WPM)) * 100) / 100;
  }

  async synthesize(text: string, options: SpeechSynthesisOptions = {}): Promise<SpeechResult> {
    if (text.trim() === '')
      throw new MySpinBotError('NODE_INPUT_INVALID', 'Nothing to say: the text is empty');
    throwIfAborted(options.signal);
    options.onProgress?.(0, `Requesting speech from ${OPENAI_ENGINE_NAME}`);
    const speed = this.speedFor(options);
    const payload: Record<string, unknown> = {
      model: this.config.model ?? 'tts-1',
      input: text,
      voice: this.config.voice ?? 'alloy',
      response_format: 'wav',
    };
    if (speed !== undefined) payload.speed = speed;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'audio/wav' };
    if (this.config.apiKey) headers.authorization = `Bearer ${this.config.apiKey}`;
    const bytes = await postForBytes(
      this.url,
      { headers, body: JSON.stringify(payload) },
      {
        engine: OPENAI_ENGINE_NAME,
        timeoutMs: this.config.timeoutMs ?? 120_000,
        signal: options.signal,
        secret: this.config.apiKey,
      },
    );
    options.onProgress?.(0.9, 'Decoding audio');
    const result = speechResultFromWav(bytes, text, OPENAI_ENGINE_NAME);
    options.onProgress?.(1, 'Speech ready');
    return result;
  }
}
