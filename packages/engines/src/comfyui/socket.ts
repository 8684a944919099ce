/**
 * The `/ws?clientId=...` event socket of ComfyUI, read as a queue of events.
 *
 * Rules:
 * - JSON text frames `{type, data}` become messages; binary frames (preview images) and anything that is
 *   not such an object are skipped;
 * - the socket is pinged every heartbeatMs; one missed pong closes it, so a dead peer reads as a drop
 *   rather than as a silent wait;
 * - once closed, every further read returns the same "closed" event;
 * - a read that sees nothing for idleMs returns "idle", so the caller can look at /history meanwhile.
 */
import { MySpinBotError } from '@myspinbot/contracts';
import { type RawData, WebSocket } from 'ws';
import { abortError } from './errors.js';
import type { ComfyMessage } from './types.js';

export type ComfySocketEvent =
  | { kind: 'message'; message: ComfyMessage }
  | { kind: 'closed'; reason: string }
  | { kind: 'idle' };

export interface ComfySocketOptions {
  headers?: Record<string, string>;
  /** Handshake deadline. */
  timeoutMs: number;
  heartbeatMs: number;
  signal?: AbortSignal | undefined;
}

function parseMessage(data: RawData, isBinary: boolean): ComfyMessage | null {
  if (isBinary) return null;
  const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
  const text = buffer.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { type, data: payload } = parsed as { type?: unknown; data?: unknown };
  if (typeof type !== 'string') return null;
  const record =
    typeof payload === 'object' && payload !== null && !Array.isArray(payload)
      ? (payload as Record<string, unknown>)
      : {};
  return { type, data: record };
}

export class ComfySocket {
  private readonly queue: ComfySocketEvent[] = [];
  private waiter: ((event: ComfySocketEvent) => void) | null = null;
  private closedEvent: ComfySocketEvent | null = null;
  private readonly heartbeat: NodeJS.Timeout;
  private alive = true;

  private constructor(
    private readonly ws: WebSocket,
    heartbeatMs: number,
  ) {
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const message = parseMessage(data, isBinary);
      if (message !== null) this.push({ kind: 'message', message });
    });
    ws.on('pong', () => {
      this.alive = true;
    });
    ws.on('close', (code: number, reason: Buffer) => {
      this.markClosed(`closed (code ${code}${reason.length > 0 ? `: ${reason.toString('utf8')}` : ''})`);
    });
    ws.on('error', (error: Error) => {
      this.markClosed(`error: ${error.message}`);
    });
    this.heartbeat = setInterval(() => {
      if (!this.alive) {
        this.markClosed(`no pong within ${heartbeatMs} ms`);
        ws.terminate();
        return;
      }
      this.alive = false;
      if (ws.readyState === WebSocket.OPEN) ws.ping();
    }, heartbeatMs);
    this.heartbeat.unref();
  }

  /** Opens the socket; rejects with ENGINE_UNAVAILABLE when it cannot be opened. */
  static open(url: string, options: ComfySocketOptions): Promise<ComfySocket> {
    const { signal } = options;
    if (signal?.aborted === true) return Promise.reject(abortError(signal));
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, {
        handshakeTimeout: options.timeoutMs,
        ...(options.headers === undefined ? {} : { headers: options.headers }),
      });
      // Events that arrive between "open" and the ComfySocket taking over are kept, not lost.
      const early: Array<{ data: RawData; isBinary: boolean }> = [];
      const keepEarly = (data: RawData, isBinary: boolean) => early.push({ data, isBinary });
      const cleanup = () => {
        ws.off('open', onOpen);
        ws.off('error', onError);
        ws.off('unexpected-response', onUnexpected);
        ws.off('message', keepEarly);
        signal?.removeEventListener('abort', onAbort);
      };
      const fail = (error: MySpinBotError) => {
        cleanup();
        ws.on('error', () => undefined);
        ws.terminate();
        reject(error);
      };
      const onOpen = () => {
        cleanup();
        const socket = new ComfySocket(ws, options.heartbeatMs);
        for (const { data, isBinary } of early) {
          const message = parseMessage(data, isBinary);
          if (message !== null) socket.push({ kind: 'message', message });
        }
        resolve(socket);
      };
      const onError = (error: Error) => {
        fail(
          new MySpinBotError(
            'ENGINE_UNAVAILABLE',
            `ComfyUI's event socket could not be opened: ${error.message}`,
            {
              retryable: true,
              cause: error,
            },
          ),
        );
      };
      const onUnexpected = (_request: unknown, response: { statusCode?: number }) => {
        fail(
          new MySpinBotError(
            'ENGINE_UNAVAILABLE',
            `ComfyUI refused the event socket (HTTP ${response.statusCode ?? '?'})`,
            { retryable: true, details: { status: response.statusCode ?? null } },
          ),
        );
      };
      const onAbort = () => {
        if (signal !== undefined) fail(abortError(signal));
      };
      ws.on('open', onOpen);
      ws.on('error', onError);
      ws.on('unexpected-response', onUnexpected);
      ws.on('message', keepEarly);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private push(event: ComfySocketEvent): void {
    if (this.closedEvent !== null) return;
    const waiter = this.waiter;
    if (waiter !== null) {
      this.waiter = null;
      waiter(event);
    } else {
      this.queue.push(event);
    }
  }

  private markClosed(reason: string): void {
    if (this.closedEvent !== null) return;
    const event: ComfySocketEvent = { kind: 'closed', reason };
    this.push(event);
    this.closedEvent = event;
    clearInterval(this.heartbeat);
  }

  /** The next event; rejects only when the signal aborts. */
  next(signal: AbortSignal | undefined, idleMs: number): Promise<ComfySocketEvent> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.closedEvent !== null) return Promise.resolve(this.closedEvent);
    if (signal?.aborted === true) return Promise.reject(abortError(signal));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => settle({ kind: 'idle' }), idleMs);
      const onAbort = () => {
        clearTimeout(timer);
        this.waiter = null;
        if (signal !== undefined) reject(abortError(signal));
      };
      const settle = (event: ComfySocketEvent) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiter = null;
        resolve(event);
      };
      this.waiter = settle;
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  close(): void {
    this.markClosed('closed by the adapter');
    this.ws.removeAllListeners('message');
    this.ws.on('error', () => undefined);
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)
      this.ws.terminate();
  }
}
