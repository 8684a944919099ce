/**
 * One HTTP exchange with ComfyUI, with a per-request deadline (the request itself is http/request.ts's).
 *
 * Error mapping (every failure is a MySpinBotError):
 * - the caller's signal aborted -> its MySpinBotError reason, else NODE_CANCELLED;
 * - no answer within timeoutMs, refused/reset connections, DNS failures -> ENGINE_UNAVAILABLE, retryable;
 * - HTTP 5xx, 408, 429 -> ENGINE_UNAVAILABLE, retryable, with the server's message;
 * - any other non-2xx is returned to the caller, which knows what the endpoint's 4xx means.
 */
import { MySpinBotError } from '@myspinbot/contracts';
import { answerMessage, httpRequest, isTransientStatus, serverMessage } from '../http/request.js';
import { abortError } from './errors.js';

export interface ComfyResponse {
  url: string;
  status: number;
  ok: boolean;
  body: Buffer;
  contentType: string | null;
}

export interface ComfyRequestOptions {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  headers?: Record<string, string>;
}

/** The URL as it may appear in messages and logs: no credentials, no query. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    return parsed.toString();
  } catch {
    return '(invalid URL)';
  }
}

export async function comfyRequest(
  url: string,
  init: { method: 'GET' | 'POST'; body?: string | FormData; contentType?: string },
  options: ComfyRequestOptions,
): Promise<ComfyResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (init.contentType !== undefined) headers['content-type'] = init.contentType;
  const answer = await httpRequest(
    url,
    { method: init.method, headers, ...(init.body === undefined ? {} : { body: init.body }) },
    {
      service: 'ComfyUI',
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      cancelled: abortError,
      shownUrl: safeUrl(url),
      errorForStatus: (failure) =>
        isTransientStatus(failure.status)
          ? new MySpinBotError(
              'ENGINE_UNAVAILABLE',
              `ComfyUI failed (HTTP ${failure.status} from ${failure.url}): ${answerMessage(failure)}`,
              { retryable: true, details: { url: failure.url, status: failure.status } },
            )
          : undefined,
    },
  );
  const { body } = answer;
  return {
    url: answer.url,
    status: answer.status,
    ok: answer.ok,
    body: Buffer.from(body.buffer, body.byteOffset, body.byteLength),
    contentType: answer.contentType,
  };
}

/** The body of a 2xx answer parsed as JSON; a body that is not JSON means the URL is not ComfyUI. */
export function jsonBody(response: ComfyResponse, what: string): unknown {
  try {
    return JSON.parse(response.body.toString('utf8'));
  } catch (error) {
    throw new MySpinBotError(
      'ENGINE_UNAVAILABLE',
      `${what}: ${response.url} answered with something that is not JSON; is this a ComfyUI server?`,
      { retryable: false, details: { url: response.url, status: response.status }, cause: error },
    );
  }
}

/** NODE_INPUT_INVALID for a 4xx the endpoint has no special meaning for. */
export function rejected(response: ComfyResponse, what: string): MySpinBotError {
  const message = serverMessage(response.body.toString('utf8')) || `HTTP ${response.status}`;
  return new MySpinBotError(
    'NODE_INPUT_INVALID',
    `${what}: ComfyUI rejected the request (HTTP ${response.status}): ${message}`,
    {
      details: { url: response.url, status: response.status },
    },
  );
}
