/**
 * What the HTTP speech adapters share: the request with its timeout, the mapping of failures to error
 * codes, and turning the returned WAV into a SpeechResult.
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
import type { SpeechResult } from '../types.js';
import { cancelledError } from './abort.js';
import { estimateWordTimings } from './estimate.js';

export interface HttpEngineConfig {
  /** Server root, e.g. "http://127.0.0.1:8000" (paths are appended to it). */
  baseUrl: string;
  /** Sent as "Authorization: Bearer <apiKey>" when set. */
  apiKey?: string | null;
  /** Whole-request deadline in ms (connect, generate, download). */
  timeoutMs?: number;
}

/** The server root without trailing slashes; CONFIG_INVALID unless it is an http(s) URL. */
export function normaliseBaseUrl(baseUrl: string, engine: string): string {
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch (error) {
    throw new MySpinBotError('CONFIG_INVALID', `${engine}: baseUrl "${baseUrl}" is not a URL`, {
      cause: error,
    });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new MySpinBotError('CONFIG_INVALID', `${engine}: baseUrl must be http(s), got "${baseUrl}"`);
  }
  return baseUrl.replace(/\/+$/, '');
}

/** The most useful message in an error body (JSON error shapes of common servers, else the text). */
export function serverMessage(body: string): string {
  const text = body.trim();
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null) {
      const record = parsed as Record<string, unknown>;
      const error = record.error;
      if (typeof error === 'string') return error;
      if (typeof error === 'object' && error !== null) {
        const message = (error as Record<string, unknown>).message;
        if (typeof message === 'string') return message;
      }
      if (typeof record.detail === 'string') return record.detail;
      if (Array.isArray(record.detail)) {
        const messages = record.detail
          .map((item: unknown) =>
            typeof item === 'object' && item !== null ? (item as Record<string, unknown>).msg : undefined,
          )
          .filter((message): message is string => typeof message === 'string');
        if (messages.length > 0) return messages.join('; ');
      }
      if (typeof record.message === 'string') return record.message;
    }
  } catch {
    // Not JSON: the text itself is the message.
  }
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

function describeFailure(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${cause.message}` : cause.message;
  }
  return error instanceof Error ? error.message : String(error);
}

export interface PostOptions {
  engine: string;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/** POSTs and returns the body of a 2xx answer; every failure becomes a MySpinBotError (see above). */
export async function postForBytes(
  url: string,
  init: { headers: Record<string, string>; body: string | FormData },
  options: PostOptions,
): Promise<Uint8Array> {
  const { engine, timeoutMs, signal } = options;
  if (signal?.aborted === true) throw cancelledError(signal);
  const deadline = AbortSignal.timeout(timeoutMs);
  const combined = signal === undefined ? deadline : AbortSignal.any([signal, deadline]);
  const failed = (error: unknown): MySpinBotError => {
    if (signal?.aborted === true) return cancelledError(signal);
    if (deadline.aborted) {
      return new MySpinBotError(
        'ENGINE_UNAVAILABLE',
        `${engine} did not answer within ${timeoutMs} ms (${url})`,
        {
          retryable: true,
          details: { url, timeoutMs },
          cause: error,
        },
      );
    }
    return new MySpinBotError(
      'ENGINE_UNAVAILABLE',
      `${engine} could not be reached at ${url}: ${describeFailure(error)}`,
      {
        retryable: true,
        details: { url },
        cause: error,
      },
    );
  };
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: init.headers, body: init.body, signal: combined });
  } catch (error) {
    throw failed(error);
  }
  let body: Uint8Array;
  try {
    body = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    throw failed(error);
  }
  if (response.ok) return body;
  const status = response.status;
  const message = serverMessage(new TextDecoder().decode(body)) || response.statusText;
  const details = { url, status };
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
    throw new MySpinBotError(
      'NODE_INPUT_INVALID',
      `${engine} rejected the request (HTTP ${status}): ${message}`,
      {
        retryable: false,
        details,
      },
    );
  }
  throw new MySpinBotError('ENGINE_UNAVAILABLE', `${engine} failed (HTTP ${status}): ${message}`, {
    retryable: true,
    details,
  });
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
