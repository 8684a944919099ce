/**
 * The HTTP side of `--server`: fetch against the server's base URL (a path prefix is kept), the API key as
 * x-api-key, and one mapping of failures to exit codes: no answer -> 6, 401 -> 7, 429/5xx -> 6, other 4xx
 * -> 3, each with the server's error code and message. A request stops when the run is stopped (Ctrl-C,
 * --timeout: the signal's reason is thrown as it is) or when its own time limit passes (exit 6).
 */
import { CliError, ExitCode, exitCodeForStatus } from './exit-codes.js';
import { codeOf, isRecord, messageOf } from './values.js';

/** How long a small API call (status, details, cancel) may take. */
export const CALL_TIMEOUT_MS = 30_000;

export interface RequestOptions {
  method?: 'GET' | 'POST';
  body?: FormData;
  /** The run's signal: its reason is thrown when it fires. */
  signal?: AbortSignal;
  /** This request's own limit (none: only the run's signal stops it). */
  timeoutMs?: number;
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
};

/** Why a fetch failed: the first network error code on its cause chain, else the innermost message. */
function networkReason(error: unknown): string {
  let current: unknown = error;
  let reason = messageOf(error);
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = codeOf(current);
    if (code !== undefined) return NETWORK_CODES[code] ?? code;
    reason = current.message;
    current = current.cause;
  }
  return reason;
}

/** `{error: {code, message}}`, the server's error format; null when the body is something else. */
async function errorBody(response: Response): Promise<{ code: string; message: string } | null> {
  try {
    const body: unknown = await response.json();
    const error = isRecord(body) && isRecord(body.error) ? body.error : {};
    const { code, message } = error;
    if (typeof code === 'string') return { code, message: typeof message === 'string' ? message : code };
  } catch {
    // Not JSON: the status alone says what happened.
  }
  return null;
}

export class ApiClient {
  private readonly base: URL;

  constructor(
    server: URL,
    private readonly apiKey: string | undefined,
  ) {
    // A base without a trailing slash would drop its last path segment when joined.
    this.base = new URL(server.href.endsWith('/') ? server.href : `${server.href}/`);
  }

  /** The server as people know it (origin and path prefix), for messages. */
  get origin(): string {
    return this.base.href.replace(/\/$/, '');
  }

  url(path: string): URL {
    return new URL(path.replace(/^\//, ''), this.base);
  }

  /** WebSocket URL of /ws on the same server. */
  socketUrl(): URL {
    const url = this.url('ws');
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return url;
  }

  headers(): Record<string, string> {
    return this.apiKey === undefined ? {} : { 'x-api-key': this.apiKey };
  }

  /** The response of a 2xx answer; any other answer or no answer is a CliError. */
  async request(path: string, options: RequestOptions = {}): Promise<Response> {
    const signals: AbortSignal[] = [];
    if (options.signal) signals.push(options.signal);
    const limit = options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs);
    if (limit) signals.push(limit);
    const method = options.method ?? 'GET';
    let response: Response;
    try {
      response = await fetch(this.url(path), {
        method,
        headers: { accept: 'application/json', ...this.headers() },
        ...(options.body ? { body: options.body } : {}),
        ...(signals.length > 0 ? { signal: AbortSignal.any(signals) } : {}),
      });
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (limit?.aborted) {
        throw new CliError(
          ExitCode.UNAVAILABLE,
          'TIMEOUT',
          `${method} ${this.url(path).pathname} got no answer within ${(options.timeoutMs ?? 0) / 1000} s`,
        );
      }
      throw new CliError(
        ExitCode.UNAVAILABLE,
        'SERVER_UNREACHABLE',
        `cannot reach ${this.origin}: ${networkReason(error)}`,
        { cause: error },
      );
    }
    if (response.ok) return response;
    const body = await errorBody(response);
    throw new CliError(
      exitCodeForStatus(response.status),
      body?.code ?? `HTTP_${response.status}`,
      `${body?.message ?? `${method} ${this.url(path).pathname} answered ${response.status} ${response.statusText}`} (HTTP ${response.status})`,
    );
  }

  /** A 2xx JSON answer. */
  async json(path: string, options: RequestOptions = {}): Promise<unknown> {
    const response = await this.request(path, options);
    try {
      const body: unknown = await response.json();
      return body;
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      throw new CliError(
        ExitCode.UNAVAILABLE,
        'BAD_RESPONSE',
        `${this.url(path).pathname} did not answer JSON: ${networkReason(error)}`,
      );
    }
  }
}
