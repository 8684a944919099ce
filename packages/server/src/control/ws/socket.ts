/**
 * One WebSocket connection speaking the seed's protocol:
 *   client -> {"action":"SUBSCRIBE","jobId":"..."} | {"action":"UNSUBSCRIBE","jobId":"..."}
 *   server -> {"type":"update","jobId":...,<JobState>} (snapshot on subscribe, then on every change,
 *             including the terminal state), {"type":"subscribed"|"unsubscribed","jobId"},
 *             {"type":"heartbeat","at"}, {"type":"error","jobId"?,"error":{code,message}}
 * A bad message gets an error and the connection stays open; an unknown job id gets an error for that id
 * only. A client that cannot keep up gets only the latest state of each job (updates are snapshots).
 */
import type { JobState } from '@myspinbot/contracts';
import type { WebSocket } from 'ws';
import type { FeedListener, JobFeed } from './job-feed.js';

export interface SocketLimits {
  maxSubscriptions: number;
  /** Above this many buffered bytes, updates wait (coalesced) until the socket drains. */
  maxBufferedBytes: number;
}

export interface SocketMetrics {
  messageIn(kind: string): void;
  messageOut(kind: string): void;
}

const JOB_ID = /^[A-Za-z0-9_-]{1,64}$/;

export class JobSocket {
  private readonly listeners = new Map<string, FeedListener>();
  private readonly waiting = new Map<string, JobState>();
  private flushTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly feed: JobFeed,
    private readonly limits: SocketLimits,
    private readonly metrics: SocketMetrics,
  ) {
    socket.on('message', (data, isBinary) => {
      void this.onMessage(isBinary ? null : data.toString());
    });
    socket.on('close', () => this.close());
    socket.on('error', () => this.close());
  }

  private send(message: Record<string, unknown>): void {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return;
    this.socket.send(JSON.stringify(message));
    this.metrics.messageOut(String(message.type));
  }

  private error(code: string, message: string, jobId?: string): void {
    this.send({ type: 'error', ...(jobId ? { jobId } : {}), error: { code, message } });
  }

  /** Sends a job update now, or keeps only the latest one per job until the socket drains. */
  sendUpdate(state: JobState): void {
    if (this.closed) return;
    if (this.socket.bufferedAmount > this.limits.maxBufferedBytes) {
      this.waiting.set(state.jobId, state);
      this.flushTimer ??= setTimeout(() => this.flush(), 50);
      return;
    }
    this.send({ type: 'update', ...state });
  }

  private flush(): void {
    this.flushTimer = null;
    const states = [...this.waiting.values()];
    this.waiting.clear();
    for (const state of states) this.sendUpdate(state);
  }

  heartbeat(): void {
    this.send({ type: 'heartbeat', at: new Date().toISOString() });
  }

  private async onMessage(text: string | null): Promise<void> {
    let message: unknown;
    try {
      message = text === null ? null : JSON.parse(text);
    } catch {
      message = null;
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      this.metrics.messageIn('invalid');
      this.error(
        'BAD_MESSAGE',
        'messages are JSON objects: {"action":"SUBSCRIBE"|"UNSUBSCRIBE","jobId":"..."}',
      );
      return;
    }
    const { action, jobId } = message as { action?: unknown; jobId?: unknown };
    if (action !== 'SUBSCRIBE' && action !== 'UNSUBSCRIBE') {
      this.metrics.messageIn('invalid');
      this.error('BAD_MESSAGE', 'action must be SUBSCRIBE or UNSUBSCRIBE');
      return;
    }
    this.metrics.messageIn(action);
    if (typeof jobId !== 'string' || !JOB_ID.test(jobId)) {
      this.error('BAD_MESSAGE', 'jobId must be 1..64 letters, digits, "_" or "-"');
      return;
    }
    if (action === 'UNSUBSCRIBE') {
      this.unsubscribe(jobId);
      this.send({ type: 'unsubscribed', jobId });
      return;
    }
    const existing = this.listeners.get(jobId);
    if (existing) {
      // Subscribing again is a request for the current state; every SUBSCRIBE gets an answer.
      const state = await this.feed.subscribe(jobId, existing);
      if (state) this.sendUpdate(state);
      else this.error('JOB_NOT_FOUND', `no job with id ${jobId}`, jobId);
      return;
    }
    if (this.listeners.size >= this.limits.maxSubscriptions) {
      this.error(
        'TOO_MANY_SUBSCRIPTIONS',
        `at most ${this.limits.maxSubscriptions} jobs per connection`,
        jobId,
      );
      return;
    }
    const listener: FeedListener = (state) => this.sendUpdate(state);
    this.listeners.set(jobId, listener);
    const state = await this.feed.subscribe(jobId, listener);
    if (!state) {
      this.listeners.delete(jobId);
      this.error('JOB_NOT_FOUND', `no job with id ${jobId}`, jobId);
      return;
    }
    if (this.closed) {
      this.feed.unsubscribe(jobId, listener);
      return;
    }
    this.send({ type: 'subscribed', jobId });
    this.sendUpdate(state);
  }

  private unsubscribe(jobId: string): void {
    const listener = this.listeners.get(jobId);
    if (!listener) return;
    this.listeners.delete(jobId);
    this.waiting.delete(jobId);
    this.feed.unsubscribe(jobId, listener);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    for (const jobId of [...this.listeners.keys()]) this.unsubscribe(jobId);
  }
}
