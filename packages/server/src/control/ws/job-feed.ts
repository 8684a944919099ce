/**
 * JobFeed: the per-process source of job updates for WebSocket subscribers. Driven by bus events, not by
 * polling: a status event re-reads the job record once (coalesced per job, shared by every subscriber of
 * that job); a progress event patches the cached state without a read. Subscribers get whole JobState
 * snapshots, so a dropped or coalesced update is made good by the next one.
 */
import type { Bus, JobEventHub } from '@myspinbot/bus';
import type { JobEvent, JobState } from '@myspinbot/contracts';
import { jobStateFromRecord } from '../job-state.js';

export type FeedListener = (state: JobState) => void;

interface Watched {
  listeners: Set<FeedListener>;
  state: JobState | null;
  off: () => void;
  refreshing: boolean;
  again: boolean;
}

export class JobFeed {
  private readonly watched = new Map<string, Watched>();

  constructor(
    private readonly bus: Bus,
    private readonly hub: JobEventHub,
  ) {}

  /** Jobs with at least one subscriber. */
  get size(): number {
    return this.watched.size;
  }

  /** Adds a listener and answers the current state (null: no such job; the listener is not kept). */
  async subscribe(jobId: string, listener: FeedListener): Promise<JobState | null> {
    let entry = this.watched.get(jobId);
    if (!entry) {
      const created: Watched = {
        listeners: new Set(),
        state: null,
        off: () => {},
        refreshing: false,
        again: false,
      };
      created.off = this.hub.on(jobId, (event) => this.onEvent(jobId, created, event));
      this.watched.set(jobId, created);
      entry = created;
    }
    entry.listeners.add(listener);
    const record = await this.bus.getJob(jobId);
    if (!record) {
      this.unsubscribe(jobId, listener);
      return null;
    }
    const state = jobStateFromRecord(record);
    if (!entry.state || state.updatedAt >= entry.state.updatedAt) entry.state = state;
    return entry.state;
  }

  unsubscribe(jobId: string, listener: FeedListener): void {
    const entry = this.watched.get(jobId);
    if (!entry) return;
    entry.listeners.delete(listener);
    if (entry.listeners.size === 0) {
      entry.off();
      this.watched.delete(jobId);
    }
  }

  private emit(entry: Watched): void {
    if (!entry.state) return;
    for (const listener of entry.listeners) listener(entry.state);
  }

  private onEvent(jobId: string, entry: Watched, event: JobEvent): void {
    if (event.type === 'progress' && entry.state && entry.state.status !== 'queued') {
      const nodes = entry.state.nodes.map((n) =>
        n.id === event.nodeId && event.nodeProgress !== undefined
          ? { ...n, progress: Math.max(n.progress, event.nodeProgress) }
          : n,
      );
      entry.state = {
        ...entry.state,
        progress: Math.max(entry.state.progress, event.progress ?? 0),
        nodes,
        updatedAt: event.at,
      };
      this.emit(entry);
      return;
    }
    if (event.type === 'status') this.refresh(jobId, entry);
  }

  /** One record read at a time per job; events that arrive meanwhile cause one more read afterwards. */
  private refresh(jobId: string, entry: Watched): void {
    if (entry.refreshing) {
      entry.again = true;
      return;
    }
    entry.refreshing = true;
    this.bus
      .getJob(jobId)
      .then((record) => {
        if (record && this.watched.get(jobId) === entry) {
          entry.state = jobStateFromRecord(record);
          this.emit(entry);
        }
      })
      .catch(() => {})
      .finally(() => {
        entry.refreshing = false;
        if (entry.again) {
          entry.again = false;
          this.refresh(jobId, entry);
        }
      });
  }
}
