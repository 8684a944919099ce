/**
 * Adapter for a zero-shot voice-cloning server (F5-TTS, XTTS, CosyVoice... behind a small wrapper).
 *
 * Protocol:
 *   POST {baseUrl}/v1/clone
 *   Authorization: Bearer <apiKey>            (only when a key is configured)
 *   Content-Type: multipart/form-data with the fields
 *     text             what to say
 *     reference_text   what the reference clip says
 *     reference_audio  the reference clip, a WAV file (mono PCM16, at its own sample rate)
 *     language         BCP-47 tag (only when the caller gave one)
 *   200 -> body is the generated speech as audio/wav
 *   4xx/5xx -> body is an error message (plain text or JSON {"error": ...} / {"detail": ...})
 * Errors map as in http.ts; word timings are estimated (estimate.ts); phonemes are empty.
 */
import { MySpinBotError } from '@myspinbot/contracts';
import { encodeWav } from '../audio/wav.js';
import { normaliseBaseUrl } from '../http/base-url.js';
import type { SpeechResult } from '../types.js';
import { throwIfAborted } from './abort.js';
import { type HttpEngineConfig, postForBytes, speechResultFromWav } from './http.js';
import type { SpeechEngine, SpeechEngineDescription, SpeechSynthesisOptions } from './types.js';

export const CLONING_ENGINE_NAME = 'voice-cloning';

export type CloningSpeechEngineConfig = HttpEngineConfig;

export class CloningSpeechEngine implements SpeechEngine {
  private readonly url: string;
  private readonly config: CloningSpeechEngineConfig;

  constructor(config: CloningSpeechEngineConfig) {
    this.url = `${normaliseBaseUrl(config.baseUrl, CLONING_ENGINE_NAME)}/v1/clone`;
    this.config = config;
  }

  describe(): SpeechEngineDescription {
    return { name: CLONING_ENGINE_NAME, builtIn: false };
  }

  async synthesize(text: string, options: SpeechSynthesisOptions = {}): Promise<SpeechResult> {
    if (text.trim() === '')
      throw new MySpinBotError('NODE_INPUT_INVALID', 'Nothing to say: the text is empty');
    const reference = options.reference;
    if (reference === null || reference === undefined || reference.audio.samples.length === 0) {
      throw new MySpinBotError('NODE_INPUT_INVALID', `${CLONING_ENGINE_NAME} needs a reference voice clip`);
    }
    const transcript = (reference.transcript ?? options.voice?.transcript ?? '').trim();
    if (transcript === '') {
      throw new MySpinBotError(
        'NODE_INPUT_INVALID',
        `${CLONING_ENGINE_NAME} needs the transcript of the reference clip (give one when training the voice)`,
      );
    }
    throwIfAborted(options.signal);
    options.onProgress?.(0, `Requesting cloned speech from ${CLONING_ENGINE_NAME}`);
    const form = new FormData();
    form.set('text', text);
    form.set('reference_text', transcript);
    form.set(
      'reference_audio',
      new Blob([encodeWav(reference.audio, { format: 'pcm16' })], { type: 'audio/wav' }),
      'reference.wav',
    );
    if (options.language !== undefined) form.set('language', options.language);
    const headers: Record<string, string> = { accept: 'audio/wav' };
    if (this.config.apiKey) headers.authorization = `Bearer ${this.config.apiKey}`;
    const bytes = await postForBytes(
      this.url,
      { headers, body: form },
      {
        engine: CLONING_ENGINE_NAME,
        timeoutMs: this.config.timeoutMs ?? 300_000,
        signal: options.signal,
        secret: this.config.apiKey,
      },
    );
    options.onProgress?.(0.9, 'Decoding audio');
    const result = speechResultFromWav(bytes, text, CLONING_ENGINE_NAME);
    options.onProgress?.(1, 'Speech ready');
    return result;
  }
}
