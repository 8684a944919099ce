/**
 * In-process executors for the orchestration benchmarks (diagnostic services only, logs off) and a waiter
 * that resolves when a job's terminal status event arrives, the way a client learns a job has ended.
 */
import { type Bus, busConfig, isTerminalStatus } from '@myspinbot/bus';
import type { JobStatus, Plane } from '@myspinbot/contracts';
import { diagnosticServices, type ExecutorHooks, PlaneExecutor, ServiceRegistry } from '@myspinbot/runtime';

export function diagExecutor(
  bus: Bus,
  plane: Plane,
  prefix: string,
  concurrency: number,
  hooks: ExecutorHooks = {},
): PlaneExecutor {
  const registry = new ServiceRegistry(plane).register(...diagnosticServices(plane));
  return new PlaneExecutor({
    bus,
    registry,
    deps: {},
    config: busConfig({ prefix, blockMs: 1000 }),
    concurrency,
    hooks,
  });
}

export interface Ended {
  status: JobStatus;
  /** performance.now() when the event arrived. */
  at: number;
}

/** Resolves waits on the terminal status event of each job (subscribed once per bus). */
export class JobWaiter {
  private readonly waiting = new Map<string, (ended: Ended) => void>();
  private unsubscribe: (() => Promise<void>) | null = null;
  /** Called for every terminal event, waited for or not. */
  onEnd: ((jobId: string, ended: Ended) => void) | null = null;

  constructor(private readonly bus: Bus) {}

  async start(): Promise<void> {
    this.unsubscribe = await this.bus.subscribe((event) => {
      if (event.type !== 'status' || event.status === undefined || !isTerminalStatus(event.status)) return;
      const ended: Ended = { status: event.status, at: performance.now() };
      this.onEnd?.(event.jobId, ended);
      const resolve = this.waiting.get(event.jobId);
      if (!resolve) return;
      this.waiting.delete(event.jobId);
      resolve(ended);
    });
  }

  async stop(): Promise<void> {
    await this.unsubscribe?.();
  }

  /** Call before submitting: the end cannot be missed. Rejects after timeoutMs. */
  wait(jobId: string, timeoutMs: number): Promise<Ended> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(jobId);
        reject(new Error(`job ${jobId} did not end within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(jobId, (ended) => {
        clearTimeout(timer);
        resolve(ended);
      });
    });
  }
}
