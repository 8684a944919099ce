/**
 * One HTTP exchange with ComfyUI, with a per-request deadline.
 *
 * Error mapping (every failure is a MySpinBotError):
 * - the caller's signal aborted -> its MySpinBotError reason, else NODE_CANCELLED;
 * - no answer within timeoutMs, refused/reset connections, DNS failures -> ENGINE_UNAVAILABLE, retryable;
 * - HTTP 5xx, 408, 429 -> ENGINE_UNAVAILABLE, retryable, with the server's message;
 * - any other non-2xx is returned to the caller, which knows what the endpoint's 4xx means.
 */
import { MySpinBotError } from '@myspinbot/contracts';
import { serverMessage } from '../speech/http.js';
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

function describeFailure(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${cause.message}` : cause.message;
  }
  return error instanceof Error ? error.message : String(error);
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
  const { timeoutMs, signal } = options;
  if (signal?.aborted === true) throw abortError(signal);
  const deadline = AbortSignal.timeout(timeoutMs);
  const combined = signal === undefined ? deadline : AbortSignal.any([signal, deadline]);
  const shown = safeUrl(url);
  const failed = (error: unknown): MySpinBotError => {
    if (signal?.aborted === true) return abortError(signal);
    if (deadline.aborted) {
      return new MySpinBotError(
        'ENGINE_UNAVAILABLE',
        `ComfyUI did not answer within ${timeoutMs} ms (${shown})`,
        {
          retryable: true,
          details: { url: shown, timeoutMs },
          cause: error,
        },
      );
    }
    return new MySpinBotError(
      'ENGINE_UNAVAILABLE',
      `ComfyUI could not be reached at ${shown}: ${describeFailure(error)}`,
      { retryable: true, details: { url: shown }, cause: error },
    );
  };
  const headers: Record<string, string> = { ...options.headers };
  if (init.contentType !== undefined) headers['content-type'] = init.contentType;
  let response: Response;
  let body: Buffer;
  try {
    response = await fetch(url, {
      method: init.method,
      headers,
      ...(init.body === undefined ? {} : { body: init.body }),
      signal: combined,
    });
    body = Buffer.from(await response.arrayBuffer());
  } catch (error) {
    throw failed(error);
  }
  const status = response.status;
  if (status >= 500 || status === 408 || status === 429) {
    const message = serverMessage(body.toString('utf8')) || response.statusText;
    throw new MySpinBotError(
      'ENGINE_UNAVAILABLE',
      `ComfyUI failed (HTTP ${status} from ${shown}): ${message}`,
      {
        retryable: true,
        details: { url: shown, status },
      },
    );
  }
  return { url: shown, status, ok: response.ok, body, contentType: response.headers.get('content-type') };
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
