/**
 * JobEventHub: one bus subscription per process, fanned out by job id. Listeners are called for each event
 * of their job; waitForTerminal resolves once the job's record is terminal (checked after subscribing, so
 * an end that happened before the call is not missed).
 */
import type { JobEvent } from '@myspinbot/contracts';
import type { Bus, JobRecord, Unsubscribe } from './types.js';

type Listener = (event: JobEvent) => void;

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

export function isTerminalStatus(status: string): boolean {
  return TERMINAL.has(status);
}

export class JobEventHub {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly all = new Set<Listener>();
  private unsubscribe: Unsubscribe | null = null;

  constructor(private readonly bus: Bus) {}

  async start(): Promise<void> {
    this.unsubscribe ??= await this.bus.subscribe((event) => this.dispatch(event));
  }

  async stop(): Promise<void> {
    await this.unsubscribe?.();
    this.unsubscribe = null;
  }

  private dispatch(event: JobEvent): void {
    for (const listener of this.all) listener(event);
    const set = this.listeners.get(event.jobId);
    if (!set) return;
    for (const listener of set) listener(event);
  }

  /** Calls `listener` for every event of `jobId`; returns the function that stops it. */
  on(jobId: string, listener: Listener): () => void {
    let set = this.listeners.get(jobId);
    if (!set) {
      set = new Set();
      this.listeners.set(jobId, set);
    }
    set.add(listener);
    return () => {
      const current = this.listeners.get(jobId);
      current?.delete(listener);
      if (current && current.size === 0) this.listeners.delete(jobId);
    };
  }

  /** Calls `listener` for every event of every job. */
  onAny(listener: Listener): () => void {
    this.all.add(listener);
    return () => this.all.delete(listener);
  }

  /** Jobs with at least one listener. */
  get watchedJobs(): number {
    return this.listeners.size;
  }

  /** The job's terminal record, or null when it is unknown or did not end within timeoutMs. */
  async waitForTerminal(jobId: string, timeoutMs: number): Promise<JobRecord | null> {
    await this.start();
    return new Promise<JobRecord | null>((resolve) => {
      let settled = false;
      const finish = (record: JobRecord | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        off();
        resolve(record);
      };
      const check = () => {
        this.bus
          .getJob(jobId)
          .then((record) => {
            if (record && isTerminalStatus(record.status)) finish(record);
          })
          .catch(() => {});
      };
      const timer = setTimeout(() => finish(null), timeoutMs);
      const off = this.on(jobId, (event) => {
        if (event.type === 'status' && event.status !== undefined && isTerminalStatus(event.status)) check();
      });
      check();
    });
  }
}
