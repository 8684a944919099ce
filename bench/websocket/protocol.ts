/**
 * What the parent and the WebSocket client process tell each other, and how a run is scored:
 *   parent -> child: connect {url, jobIds, parallel} | record | report | close
 *   child -> parent: connected {ms, sample} | report {job, at, recv, bytes, updates, eld, cpuMs} | failed {error}
 * Each update a client receives is kept as (job index, event time `at`, receive time), both epoch ms on
 * this machine's one clock. A run is scored against the events the server side knows it produced.
 */
import { type Message, numberField } from '../child.js';

export interface ClientReport {
  /** Per received update: index of the job in jobIds, the update's `updatedAt` and the receive time. */
  job: Int32Array;
  at: Float64Array;
  recv: Float64Array;
  /** Bytes of every message received while recording, and how many were updates. */
  bytes: number;
  updates: number;
  /** Event-loop delay of the client process while recording (ms). */
  eld: { p50: number; p99: number; max: number };
  /** CPU of the client process while recording (ms). */
  cpuMs: number;
}

function typed<T>(value: unknown, type: new (...args: never[]) => T): T {
  if (!(value instanceof type)) throw new Error(`client report: expected ${type.name}`);
  return value;
}

export function parseReport(message: Message): ClientReport {
  const eld = message.eld as Record<string, unknown> | undefined;
  const num = (v: unknown) => (typeof v === 'number' ? v : Number.NaN);
  return {
    job: typed(message.job, Int32Array),
    at: typed(message.at, Float64Array),
    recv: typed(message.recv, Float64Array),
    bytes: numberField(message, 'bytes'),
    updates: numberField(message, 'updates'),
    eld: { p50: num(eld?.p50), p99: num(eld?.p99), max: num(eld?.max) },
    cpuMs: numberField(message, 'cpuMs'),
  };
}

/** Events the server side produced in the window: per job index, the `at` times (epoch ms). */
export type Expected = Map<number, Set<number>>;

export interface Score {
  expected: number;
  delivered: number;
  lost: number;
  /** receive - at of every delivered expected event (ms). */
  delays: number[];
}

/** Matches received updates to expected events by (job, at); anything else received is not scored. */
export function score(expected: Expected, report: ClientReport): Score {
  const seen = new Map<number, Set<number>>();
  const delays: number[] = [];
  for (let i = 0; i < report.job.length; i++) {
    const job = report.job[i] ?? -1;
    const at = report.at[i] ?? Number.NaN;
    if (expected.get(job)?.has(at) !== true) continue;
    let set = seen.get(job);
    if (!set) {
      set = new Set();
      seen.set(job, set);
    }
    if (set.has(at)) continue;
    set.add(at);
    delays.push((report.recv[i] ?? Number.NaN) - at);
  }
  let total = 0;
  for (const set of expected.values()) total += set.size;
  return { expected: total, delivered: delays.length, lost: total - delays.length, delays };
}

/**
 * The events a server produced in the window, kept in arrays allocated up front: the bench's own
 * bookkeeping must not show up as the server's memory growth per client.
 */
export class EventLog {
  private readonly job: Int32Array;
  private readonly at: Float64Array;
  private count = 0;
  /** Events that did not fit (the capacity was too small): reported, never silently dropped. */
  overflow = 0;
  private from = Number.POSITIVE_INFINITY;
  private to = Number.POSITIVE_INFINITY;

  constructor(capacity: number) {
    this.job = new Int32Array(capacity);
    this.at = new Float64Array(capacity);
  }

  open(): void {
    this.from = Date.now();
  }

  close(): void {
    this.to = Date.now();
  }

  /** Keeps the event when it was stamped inside the window. */
  add(job: number, at: number): void {
    if (!(at >= this.from && at < this.to)) return;
    if (this.count === this.job.length) {
      this.overflow += 1;
      return;
    }
    this.job[this.count] = job;
    this.at[this.count] = at;
    this.count += 1;
  }

  expected(): Expected {
    if (this.overflow > 0) throw new Error(`event log overflowed by ${this.overflow} events`);
    const expected: Expected = new Map();
    for (let i = 0; i < this.count; i++) {
      const job = this.job[i] ?? -1;
      let set = expected.get(job);
      if (!set) {
        set = new Set();
        expected.set(job, set);
      }
      set.add(this.at[i] ?? Number.NaN);
    }
    return expected;
  }
}
