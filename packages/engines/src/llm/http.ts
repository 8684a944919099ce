/**
 * The JSON POST the LLM adapters share, with its deadline and the mapping of failures to error codes:
 * - the caller's signal aborted -> NODE_CANCELLED (or the signal's own MySpinBotError reason);
 * - no answer within timeoutMs -> ENGINE_UNAVAILABLE, retryable;
 * - connection failures (refused, reset, DNS) -> ENGINE_UNAVAILABLE, retryable;
 * - HTTP 5xx, 408 and 429 -> ENGINE_UNAVAILABLE, retryable, with the server's message;
 * - HTTP 401, 403 (key refused) and 404 (unknown model or path) -> CONFIG_INVALID, with the server's message;
 * - any other 4xx -> NODE_INPUT_INVALID with the server's message;
 * - a 2xx whose body is not JSON -> ENGINE_UNAVAILABLE, not retryable (the server speaks another protocol).
 * The API key is never part of a message or details: the server's text has every occurrence of it
 * replaced by "[redacted]".
 */
import { MySpinBotError } from '@myspinbot/contracts';
import { serverMessage } from '../speech/http.js';
import { scriptCancelledError } from './cancel.js';

export interface PostJsonOptions {
  /** Writer name, used in messages. */
  writer: string;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Sent as "Authorization: Bearer <apiKey>" when set; never echoed. */
  apiKey?: string | null | undefined;
}

/** The text with every occurrence of the secret replaced. */
export function redact(text: string, secret: string | null | undefined): string {
  return secret === null || secret === undefined || secret === ''
    ? text
    : text.split(secret).join('[redacted]');
}

function describeFailure(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${cause.message}` : cause.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** POSTs the JSON body and returns the parsed JSON of a 2xx answer; failures map as described above. */
export async function postJson(url: string, body: unknown, options: PostJsonOptions): Promise<unknown> {
  const { writer, timeoutMs, signal, apiKey } = options;
  if (signal?.aborted === true) throw scriptCancelledError(signal);
  const deadline = AbortSignal.timeout(timeoutMs);
  const combined = signal === undefined ? deadline : AbortSignal.any([signal, deadline]);
  const failed = (error: unknown): MySpinBotError => {
    if (signal?.aborted === true) return scriptCancelledError(signal);
    if (deadline.aborted) {
      return new MySpinBotError(
        'ENGINE_UNAVAILABLE',
        `${writer} did not answer within ${timeoutMs} ms (${url})`,
        {
          retryable: true,
          details: { url, timeoutMs },
          cause: error,
        },
      );
    }
    return new MySpinBotError(
      'ENGINE_UNAVAILABLE',
      `${writer} could not be reached at ${url}: ${redact(describeFailure(error), apiKey)}`,
      { retryable: true, details: { url }, cause: error },
    );
  };
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (apiKey !== null && apiKey !== undefined && apiKey !== '') headers.authorization = `Bearer ${apiKey}`;
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: combined });
    text = await response.text();
  } catch (error) {
    throw failed(error);
  }
  const status = response.status;
  if (!response.ok) {
    const message = redact(serverMessage(text) || response.statusText, apiKey);
    const details = { url, status };
    if (status === 401 || status === 403 || status === 404) {
      const what = status === 404 ? 'does not know the model or path' : 'refused the credentials';
      throw new MySpinBotError('CONFIG_INVALID', `${writer} ${what} (HTTP ${status}): ${message}`, {
        retryable: false,
        details,
      });
    }
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
      throw new MySpinBotError(
        'NODE_INPUT_INVALID',
        `${writer} rejected the request (HTTP ${status}): ${message}`,
        {
          retryable: false,
          details,
        },
      );
    }
    throw new MySpinBotError('ENGINE_UNAVAILABLE', `${writer} failed (HTTP ${status}): ${message}`, {
      retryable: true,
      details,
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new MySpinBotError(
      'ENGINE_UNAVAILABLE',
      `${writer} answered with a body that is not JSON (${url})`,
      {
        retryable: false,
        details: { url, status, body: redact(text.slice(0, 200), apiKey) },
      },
    );
  }
}
