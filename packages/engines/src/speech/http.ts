/**
 * What the HTTP speech adapters share: the request (http/request.ts: its deadline and the usual mapping
 * of failures to error codes), and turning the returned WAV into a SpeechResult.
 *
 * Error mapping:
 * - the caller's signal aborted -> NODE_CANCELLED (or the signal's own MySpinBotError reason);
 * - no answer within timeoutMs -> ENGINE_UNAVAILABLE, retryable;
 * - connection failures (refused, reset, DNS) -> ENGINE_UNAVAILABLE, retryable;
 * - HTTP 5xx, 408 and 429 -> ENGINE_UNAVAILABLE, retryable, with the server's message;
 * - any other 4xx -> NODE_INPUT_INVALID with the server's message;
 * - a 2xx whose body is not a readable, non-empty WAV -> ENGINE_UNAVAILABLE, not retryable.
 */
import { MySpinBotError } from '@myspinbot/contracts';
import { durationMs } from '../audio/pcm.js';
import { decodeWav } from '../audio/wav.js';
import { httpRequest } from '../http/request.js';
import type { SpeechResult } from '../types.js';
import { cancelledError } from './abort.js';
import { estimateWordTimings } from './estimate.js';

/** Kept here for the existing importers; it lives with the request now. */
export { serverMessage } from '../http/request.js';

export interface HttpEngineConfig {
  /** Server root, e.g. "http://127.0.0.1:8000" (paths are appended to it). */
  baseUrl: string;
  /** Sent as "Authorization: Bearer <apiKey>" when set. */
  apiKey?: string | null;
  /** Whole-request deadline in ms (connect, generate, download). */
  timeoutMs?: number;
}

export interface PostOptions {
  engine: string;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** The API key sent: redacted from every error message. */
  secret?: string | null | undefined;
}

/** POSTs and returns the body of a 2xx answer; every failure becomes a MySpinBotError (see above). */
export async function postForBytes(
  url: string,
  init: { headers: Record<string, string>; body: string | FormData },
  options: PostOptions,
): Promise<Uint8Array> {
  const answer = await httpRequest(
    url,
    { method: 'POST', ...init },
    {
      service: options.engine,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      cancelled: cancelledError,
      secret: options.secret,
    },
  );
  return answer.body;
}

/** Decodes a returned WAV into a SpeechResult with estimated word timings and no phonemes. */
export function speechResultFromWav(bytes: Uint8Array, text: string, engine: string): SpeechResult {
  let audio: SpeechResult['audio'];
  try {
    audio = decodeWav(bytes);
  } catch (error) {
    throw new MySpinBotError('ENGINE_UNAVAILABLE', `${engine} returned audio that is not a readable WAV`, {
      retryable: false,
      details: { bytes: bytes.byteLength },
      cause: error,
    });
  }
  if (audio.samples.length === 0) {
    throw new MySpinBotError('ENGINE_UNAVAILABLE', `${engine} returned an empty WAV`, { retryable: false });
  }
  return {
    audio,
    durationMs: durationMs(audio),
    words: estimateWordTimings(text, audio),
    phonemes: [],
    engine,
  };
}
