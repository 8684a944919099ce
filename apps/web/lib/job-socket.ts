/**
 * The client side of the API's WebSocket protocol (packages/server/src/control/ws/socket.ts):
 *   -> {"action":"SUBSCRIBE"|"UNSUBSCRIBE","jobId"}
 *   <- {"type":"update",jobId,...JobState} | {"type":"subscribed"|"unsubscribed",jobId}
 *      | {"type":"heartbeat",at} | {"type":"error",jobId?,error:{code,message}}
 * It reconnects after a drop with exponential backoff and jitter, restores every subscription on each
 * (re)connection (the server answers each SUBSCRIBE with the current state), treats a connection that has
 * been silent for longer than a few heartbeats as dead, and exposes its state for the UI.
 */
import { isRecord } from './api';
import { JOB_STATUSES, type JobState } from './types';

export type ConnectionStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'offline' | 'closed';

export interface ConnectionState {
  status: ConnectionStatus;
  /** Failed connection attempts since the last open connection. */
  attempt: number;
  /** When the next attempt starts (epoch ms) while reconnecting. */
  retryAt: number | null;
  /** When the server last said anything (epoch ms). */
  lastMessageAt: number | null;
}

export type ServerMessage =
  | { type: 'update'; state: JobState }
  | { type: 'subscribed' | 'unsubscribed'; jobId: string }
  | { type: 'heartbeat'; at: string }
  | { type: 'error'; jobId?: string; error: { code: string; message: string } };

/** The part of the browser WebSocket this client uses (a fake one in tests). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: Event) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
}

export type SocketFactory = (url: string) => SocketLike;

/** The window events the client listens to (online/offline). */
export interface NetworkEvents {
  addEventListener(type: 'online' | 'offline', listener: () => void): void;
  removeEventListener(type: 'online' | 'offline', listener: () => void): void;
}

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
}

export interface JobSocketOptions {
  url: string;
  createSocket?: SocketFactory;
  backoff?: Partial<BackoffOptions>;
  /** Silence after which the connection counts as dead (the server sends a heartbeat every 15 s). */
  heartbeatTimeoutMs?: number;
  random?: () => number;
  now?: () => number;
  network?: NetworkEvents | null;
}

const OPEN = 1;
const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 15_000, factor: 2 };

/**
 * The wait before reconnection attempt `attempt` (1-based): exponential, capped, with "equal jitter"
 * (half fixed, half random) so that many clients dropped together do not come back together.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const ceiling = Math.min(options.maxMs, options.initialMs * options.factor ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

function isJobState(value: Record<string, unknown>): boolean {
  return (
    typeof value.jobId === 'string' &&
    typeof value.status === 'string' &&
    (JOB_STATUSES as readonly string[]).includes(value.status) &&
    typeof value.progress === 'number' &&
    typeof value.updatedAt === 'string' &&
    Array.isArray(value.nodes)
  );
}

/** A server frame as a typed message; null for anything this client does not understand. */
export function parseServerMessage(text: string): ServerMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(value)) return null;
  switch (value.type) {
    case 'update': {
      if (!isJobState(value)) return null;
      const { type: _type, ...state } = value;
      return { type: 'update', state: state as unknown as JobState };
    }
    case 'subscribed':
    case 'unsubscribed':
      return typeof value.jobId === 'string' ? { type: value.type, jobId: value.jobId } : null;
    case 'heartbeat':
      return { type: 'heartbeat', at: typeof value.at === 'string' ? value.at : '' };
    case 'error': {
      const error = isRecord(value.error) ? value.error : {};
      return {
        type: 'error',
        ...(typeof value.jobId === 'string' ? { jobId: value.jobId } : {}),
        error: {
          code: typeof error.code === 'string' ? error.code : 'UNKNOWN',
          message: typeof error.message === 'string' ? error.message : '',
        },
      };
    }
    default:
      return null;
  }
}

type Listener<T> = (value: T) => void;

export class JobSocket {
  private readonly url: string;
  private readonly createSocket: SocketFactory;
  private readonly backoff: BackoffOptions;
  private readonly heartbeatTimeoutMs: number;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly network: NetworkEvents | null;

  private socket: SocketLike | null = null;
  private readonly subscriptions = new Set<string>();
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private silenceTimer: ReturnType<typeof setTimeout> | null = null;
  private current: ConnectionState = { status: 'idle', attempt: 0, retryAt: null, lastMessageAt: null };

  private readonly updateListeners = new Set<Listener<JobState>>();
  private readonly errorListeners = new Set<Listener<{ jobId?: string; code: string; message: string }>>();
  private readonly stateListeners = new Set<Listener<ConnectionState>>();

  private readonly onOnline = () => this.reconnectNow();
  private readonly onOffline = () => {
    if (this.current.status !== 'open') this.setState({ status: 'offline', retryAt: null });
  };

  constructor(options: JobSocketOptions) {
    this.url = options.url;
    this.createSocket = options.createSocket ?? ((url) => new WebSocket(url));
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 40_000;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.network =
      options.network === undefined ? (typeof window === 'undefined' ? null : window) : options.network;
  }

  get state(): ConnectionState {
    return this.current;
  }

  /** The job ids this client follows (restored after every reconnection). */
  get subscribed(): ReadonlySet<string> {
    return this.subscriptions;
  }

  onUpdate(listener: Listener<JobState>): () => void {
    this.updateListeners.add(listener);
    return () => this.updateListeners.delete(listener);
  }

  onJobError(listener: Listener<{ jobId?: string; code: string; message: string }>): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  onStateChange(listener: Listener<ConnectionState>): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  connect(): void {
    if (this.current.status === 'closed') return;
    if (this.socket) return;
    this.network?.addEventListener('online', this.onOnline);
    this.network?.addEventListener('offline', this.onOffline);
    this.open();
  }

  /** Stops for good: no more reconnections. */
  close(): void {
    this.clearTimers();
    this.network?.removeEventListener('online', this.onOnline);
    this.network?.removeEventListener('offline', this.onOffline);
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      this.detach(socket);
      socket.close(1000, 'client closed');
    }
    this.setState({ status: 'closed', retryAt: null });
  }

  /** Skips the wait of a pending reconnection. */
  reconnectNow(): void {
    if (this.current.status === 'closed' || this.current.status === 'open') return;
    // An attempt is already under way.
    if (this.socket) return;
    this.clearTimers();
    this.open();
  }

  subscribe(jobId: string): void {
    this.subscriptions.add(jobId);
    this.send({ action: 'SUBSCRIBE', jobId });
  }

  unsubscribe(jobId: string): void {
    if (!this.subscriptions.delete(jobId)) return;
    this.send({ action: 'UNSUBSCRIBE', jobId });
  }

  private send(message: { action: 'SUBSCRIBE' | 'UNSUBSCRIBE'; jobId: string }): void {
    if (this.socket && this.socket.readyState === OPEN && this.current.status === 'open')
      this.socket.send(JSON.stringify(message));
  }

  private setState(patch: Partial<ConnectionState>): void {
    this.current = { ...this.current, ...patch };
    for (const listener of this.stateListeners) listener(this.current);
  }

  private open(): void {
    const attempt = this.current.attempt;
    this.setState({
      status: attempt === 0 && this.current.lastMessageAt === null ? 'connecting' : 'reconnecting',
      retryAt: null,
    });
    let socket: SocketLike;
    try {
      socket = this.createSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.setState({ status: 'open', attempt: 0, retryAt: null, lastMessageAt: this.now() });
      this.armSilenceTimer();
      for (const jobId of this.subscriptions) socket.send(JSON.stringify({ action: 'SUBSCRIBE', jobId }));
    };
    socket.onmessage = (event) => {
      if (this.socket !== socket) return;
      this.current = { ...this.current, lastMessageAt: this.now() };
      this.armSilenceTimer();
      if (typeof event.data === 'string') this.dispatch(event.data);
    };
    socket.onerror = () => {
      // A 'close' event follows; reconnection is handled there.
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.scheduleReconnect();
    };
  }

  private dispatch(text: string): void {
    const message = parseServerMessage(text);
    if (!message) return;
    if (message.type === 'update') {
      for (const listener of this.updateListeners) listener(message.state);
    } else if (message.type === 'error') {
      const report = { ...(message.jobId ? { jobId: message.jobId } : {}), ...message.error };
      for (const listener of this.errorListeners) listener(report);
    } else if (message.type === 'heartbeat') {
      // A heartbeat is news: notify so the UI can show the connection is alive.
      this.setState({});
    }
  }

  /** No message for heartbeatTimeoutMs: the connection is dead even if the browser has not noticed. */
  private armSilenceTimer(): void {
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    this.silenceTimer = setTimeout(() => {
      this.silenceTimer = null;
      this.dropSocket();
      this.scheduleReconnect();
    }, this.heartbeatTimeoutMs);
  }

  private dropSocket(): void {
    const socket = this.socket;
    this.socket = null;
    if (!socket) return;
    this.detach(socket);
    try {
      socket.close(4000, 'no heartbeat');
    } catch {
      // Closing a socket that never opened may throw in some browsers; it is gone either way.
    }
  }

  private detach(socket: SocketLike): void {
    socket.onopen = null;
    socket.onmessage = null;
    socket.onerror = null;
    socket.onclose = null;
  }

  private scheduleReconnect(): void {
    if (this.current.status === 'closed') return;
    if (this.silenceTimer) {
      clearTimeout(this.silenceTimer);
      this.silenceTimer = null;
    }
    const attempt = this.current.attempt + 1;
    const delay = backoffDelay(attempt, this.backoff, this.random);
    const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
    this.setState({ status: offline ? 'offline' : 'reconnecting', attempt, retryAt: this.now() + delay });
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.open();
    }, delay);
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    this.retryTimer = null;
    this.silenceTimer = null;
  }
}
