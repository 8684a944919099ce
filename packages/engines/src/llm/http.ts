/**
 * The JSON POST the LLM adapters share. The request, its deadline and the usual failure mapping are
 * http/request.ts's:
 * - the caller's signal aborted -> NODE_CANCELLED (or the signal's own MySpinBotError reason);
 * - no answer within timeoutMs -> ENGINE_UNAVAILABLE, retryable;
 * - connection failures (refused, reset, DNS) -> ENGINE_UNAVAILABLE, retryable;
 * - HTTP 5xx, 408 and 429 -> ENGINE_UNAVAILABLE, retryable, with the server's message;
 * - any other 4xx -> NODE_INPUT_INVALID with the server's message;
 * with, for the LLM servers:
 * - HTTP 401, 403 (key refused) and 404 (unknown model or path) -> CONFIG_INVALID, with the server's message;
 * - a 2xx whose body is not JSON -> ENGINE_UNAVAILABLE, not retryable (the server speaks another protocol).
 * The API key is never part of a message or details: the server's text has every occurrence of it
 * replaced by "[redacted]".
 */
import { MySpinBotError } from '@myspinbot/contracts';
import {
  answerMessage,
  answerText,
  engineStatusError,
  type HttpAnswer,
  httpRequest,
  redact,
} from '../http/request.js';
import { scriptCancelledError } from './cancel.js';

export interface PostJsonOptions {
  /** Writer name, used in messages. */
  writer: string;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Sent as "Authorization: Bearer <apiKey>" when set; never echoed. */
  apiKey?: string | null | undefined;
}

/** CONFIG_INVALID for a refused key or an unknown model, else the usual mapping; the key redacted. */
function llmStatusError(
  writer: string,
  answer: HttpAnswer,
  apiKey: string | null | undefined,
): MySpinBotError {
  const { status } = answer;
  const message = redact(answerMessage(answer), apiKey);
  if (status === 401 || status === 403 || status === 404) {
    const what = status === 404 ? 'does not know the model or path' : 'refused the credentials';
    return new MySpinBotError('CONFIG_INVALID', `${writer} ${what} (HTTP ${status}): ${message}`, {
      retryable: false,
      details: { url: answer.url, status },
    });
  }
  return engineStatusError(writer, answer, message);
}

/** POSTs the JSON body and returns the parsed JSON of a 2xx answer; failures map as described above. */
export async function postJson(url: string, body: unknown, options: PostJsonOptions): Promise<unknown> {
  const { writer, apiKey } = options;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (apiKey !== null && apiKey !== undefined && apiKey !== '') headers.authorization = `Bearer ${apiKey}`;
  const answer = await httpRequest(
    url,
    { method: 'POST', headers, body: JSON.stringify(body) },
    {
      service: writer,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      cancelled: scriptCancelledError,
      secret: apiKey,
      errorForStatus: (failure) => llmStatusError(writer, failure, apiKey),
    },
  );
  const text = answerText(answer);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new MySpinBotError(
      'ENGINE_UNAVAILABLE',
      `${writer} answered with a body that is not JSON (${url})`,
      {
        retryable: false,
        details: { url, status: answer.status, body: redact(text.slice(0, 200), apiKey) },
      },
    );
  }
}
