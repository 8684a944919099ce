/**
 * One HTTP exchange with an engine server (speech, LLM, ComfyUI adapters), with a whole-request deadline
 * and every failure turned into a MySpinBotError:
 * - the caller's signal aborted -> options.cancelled(signal) (each area's NODE_CANCELLED, or the signal's
 *   own MySpinBotError reason);
 * - no answer within timeoutMs -> ENGINE_UNAVAILABLE, retryable: "<service> did not answer within N ms (<url>)";
 * - connection failures (refused, reset, DNS) and bodies that break off -> ENGINE_UNAVAILABLE, retryable:
 *   "<service> could not be reached at <url>: <cause>" (options.secret is redacted from the cause);
 * - a non-2xx answer -> options.errorForStatus(answer) (default: engineStatusError), or the answer itself
 *   goes back to the caller when that returns undefined.
 */
import { MySpinBotError } from '@myspinbot/contracts';

export interface HttpExchange {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string | FormData;
}

/** A complete answer: status and the whole body. */
export interface HttpAnswer {
  /** The URL as it may be shown (options.shownUrl, else the requested URL). */
  url: string;
  status: number;
  ok: boolean;
  statusText: string;
  contentType: string | null;
  body: Uint8Array;
}

export interface HttpRequestOptions {
  /** Names the server in messages, e.g. "openai-speech" or "ComfyUI". */
  service: string;
  /** Whole-request deadline in ms (connect, answer, body). */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** The error an aborted caller signal becomes. */
  cancelled(signal: AbortSignal): MySpinBotError;
  /** The URL as messages and details may show it (e.g. without credentials); default the URL itself. */
  shownUrl?: string;
  /** Replaced by "[redacted]" in connection-failure messages (e.g. an API key). */
  secret?: string | null | undefined;
  /** The error for a non-2xx answer, or undefined to return the answer; default engineStatusError. */
  errorForStatus?(answer: HttpAnswer): MySpinBotError | undefined;
}

/** The text with every occurrence of the secret replaced. */
export function redact(text: string, secret: string | null | undefined): string {
  return secret === null || secret === undefined || secret === ''
    ? text
    : text.split(secret).join('[redacted]');
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

/** The answer's body decoded as UTF-8. */
export function answerText(answer: HttpAnswer): string {
  return new TextDecoder().decode(answer.body);
}

/** The message of an error answer: the server's message in its body, else the status text. */
export function answerMessage(answer: HttpAnswer): string {
  return serverMessage(answerText(answer)) || answer.statusText;
}

/** 5xx, 408 (request timeout) and 429 (rate limit): the server may well answer a later try. */
export function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/**
 * The usual mapping of a non-2xx answer: a 4xx other than 408 and 429 is NODE_INPUT_INVALID ("<service>
 * rejected the request (HTTP s): <message>"); anything else is ENGINE_UNAVAILABLE, retryable ("<service>
 * failed (HTTP s): <message>"). Details: { url, status }.
 */
export function engineStatusError(
  service: string,
  answer: HttpAnswer,
  message: string = answerMessage(answer),
): MySpinBotError {
  const { status } = answer;
  const details = { url: answer.url, status };
  if (status >= 400 && status < 500 && !isTransientStatus(status)) {
    return new MySpinBotError(
      'NODE_INPUT_INVALID',
      `${service} rejected the request (HTTP ${status}): ${message}`,
      { retryable: false, details },
    );
  }
  return new MySpinBotError('ENGINE_UNAVAILABLE', `${service} failed (HTTP ${status}): ${message}`, {
    retryable: true,
    details,
  });
}

function describeFailure(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${cause.message}` : cause.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Sends the request and reads the whole answer; failures map as described at the top. */
export async function httpRequest(
  url: string,
  exchange: HttpExchange,
  options: HttpRequestOptions,
): Promise<HttpAnswer> {
  const { service, timeoutMs, signal } = options;
  if (signal?.aborted === true) throw options.cancelled(signal);
  const deadline = AbortSignal.timeout(timeoutMs);
  const combined = signal === undefined ? deadline : AbortSignal.any([signal, deadline]);
  const shown = options.shownUrl ?? url;
  const failed = (error: unknown): MySpinBotError => {
    if (signal?.aborted === true) return options.cancelled(signal);
    if (deadline.aborted) {
      return new MySpinBotError(
        'ENGINE_UNAVAILABLE',
        `${service} did not answer within ${timeoutMs} ms (${shown})`,
        { retryable: true, details: { url: shown, timeoutMs }, cause: error },
      );
    }
    return new MySpinBotError(
      'ENGINE_UNAVAILABLE',
      `${service} could not be reached at ${shown}: ${redact(describeFailure(error), options.secret)}`,
      { retryable: true, details: { url: shown }, cause: error },
    );
  };
  let answer: HttpAnswer;
  try {
    const response = await fetch(url, {
      method: exchange.method,
      headers: exchange.headers ?? {},
      ...(exchange.body === undefined ? {} : { body: exchange.body }),
      signal: combined,
    });
    answer = {
      url: shown,
      status: response.status,
      ok: response.ok,
      statusText: response.statusText,
      contentType: response.headers.get('content-type'),
      body: new Uint8Array(await response.arrayBuffer()),
    };
  } catch (error) {
    throw failed(error);
  }
  if (answer.ok) return answer;
  const error = (options.errorForStatus ?? ((failure) => engineStatusError(service, failure)))(answer);
  if (error !== undefined) throw error;
  return answer;
}
