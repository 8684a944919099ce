/**
 * MemoryBus: the bus contract kept in process memory, for the embedded mode (one process, no Redis).
 * It mirrors RedisBus's semantics (consumer groups, pending lists, delivery counts, idle times, atomic
 * transitions, TTLs, asynchronous pub/sub) so the executor cannot tell them apart; the conformance suite
 * checks that. Every method body runs without awaiting in the middle, which makes each one atomic.
 */
import { EventEmitter } from 'node:events';
import type { BusConfig, JobEvent, NodeError, Plane, WorkflowGraph } from '@myspinbot/contracts';
import { cancelGraph, jobProgress } from '@myspinbot/workflow';
import { PLANES } from '../keys.js';
import {
  deadLetterFields,
  failureOfError,
  jobIdOf,
  nowIso,
  recordFromFields,
  statusEvent,
} from '../record.js';
import type {
  Bus,
  BusEvents,
  ControlMessage,
  DeadLetter,
  Delivery,
  JobRecord,
  PlaneStats,
  RecordUpdate,
  SubmitOptions,
  TransitionOutcome,
  Unsubscribe,
} from '../types.js';

interface Entry {
  id: string;
  seq: number;
  fields: Record<string, string>;
}

interface PendingEntry {
  consumer: string;
  deliveredAt: number;
  deliveries: number;
}

interface Waiter {
  wake: () => void;
}

/** Entries in ascending seq order, with an index by id; reads find their start by binary search. */
class MemoryStream {
  entries: Entry[] = [];
  private readonly byId = new Map<string, Entry>();
  /** Sequence number of the last entry delivered with '>' (0 = none). */
  lastDelivered = 0;
  readonly pending = new Map<string, PendingEntry>();
  readonly consumers = new Set<string>();
  waiters = new Set<Waiter>();

  entry(id: string): Entry | undefined {
    return this.byId.get(id);
  }

  append(entry: Entry): void {
    this.entries.push(entry);
    this.byId.set(entry.id, entry);
  }

  /** Index of the first entry with a seq above `seq`, or -1. */
  firstAfter(seq: number): number {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.entries[mid]?.seq ?? 0) > seq) high = mid;
      else low = mid + 1;
    }
    return low < this.entries.length ? low : -1;
  }

  /** Entries not yet delivered with '>'. */
  undelivered(): Entry[] {
    const start = this.firstAfter(this.lastDelivered);
    return start === -1 ? [] : this.entries.slice(start);
  }

  /** Drops the entries below `keepFrom`; returns how many. */
  dropBefore(keepFrom: number): number {
    const cut = this.firstAtOrAbove(keepFrom);
    for (const entry of this.entries.slice(0, cut)) this.byId.delete(entry.id);
    this.entries = this.entries.slice(cut);
    return cut;
  }

  private firstAtOrAbove(seq: number): number {
    const at = this.firstAfter(seq - 1);
    return at === -1 ? this.entries.length : at;
  }
}

interface StoredJob {
  fields: Record<string, string>;
  expiresAt: number;
}

const DEAD_LETTER_MAXLEN = 10_000;

export class MemoryBus implements Bus {
  readonly kind = 'memory' as const;
  private readonly emitter = new EventEmitter();
  private readonly pubsub = new EventEmitter();
  private readonly streams = new Map<Plane, MemoryStream>(PLANES.map((p) => [p, new MemoryStream()]));
  private readonly jobs = new Map<string, StoredJob>();
  /** Once-only claims: name -> when the claim expires (ms since the epoch). */
  private readonly claims = new Map<string, number>();
  private readonly dead: DeadLetter[] = [];
  private seq = 0;
  private lastMs = 0;
  private closed = false;

  constructor(readonly config: BusConfig) {
    this.pubsub.setMaxListeners(0);
  }

  async init(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
    for (const stream of this.streams.values()) for (const waiter of stream.waiters) waiter.wake();
  }

  async ping(): Promise<boolean> {
    return !this.closed;
  }

  async checkState(): Promise<'ok' | 'reset'> {
    return 'ok';
  }

  private stream(plane: Plane): MemoryStream {
    const stream = this.streams.get(plane);
    if (!stream) throw new Error(`no stream for plane ${plane}`);
    return stream;
  }

  /** Stream ids in Redis form (<ms>-<seq>), strictly increasing. */
  private add(plane: Plane, fields: Record<string, string>): string {
    const ms = Math.max(Date.now(), this.lastMs);
    this.lastMs = ms;
    this.seq += 1;
    const id = `${ms}-${this.seq}`;
    const stream = this.stream(plane);
    stream.append({ id, seq: this.seq, fields });
    const waiters = stream.waiters;
    stream.waiters = new Set();
    for (const waiter of waiters) waiter.wake();
    return id;
  }

  private job(jobId: string): StoredJob | undefined {
    const job = this.jobs.get(jobId);
    if (job && job.expiresAt <= Date.now()) {
      this.jobs.delete(jobId);
      return undefined;
    }
    return job;
  }

  private touch(job: StoredJob, ttlSeconds = this.config.jobTtlSeconds): void {
    job.expiresAt = Date.now() + ttlSeconds * 1000;
  }

  private emitEvent(event: JobEvent): void {
    const text = JSON.stringify(event);
    // Pub/sub is asynchronous and delivers copies, as with Redis.
    setImmediate(() => this.pubsub.emit('event', JSON.parse(text) as JobEvent));
  }

  private owned(delivery: Delivery): boolean {
    const pending = this.stream(delivery.plane).pending.get(delivery.entryId);
    return pending !== undefined && pending.consumer === delivery.consumer;
  }

  private ack(plane: Plane, entryId: string): void {
    this.stream(plane).pending.delete(entryId);
  }

  async submit(graph: WorkflowGraph, plane: Plane, options?: SubmitOptions): Promise<boolean> {
    const jobId = graph.workflowId;
    if (this.job(jobId)) return false;
    const event = statusEvent(jobId, 'queued', 0);
    const text = JSON.stringify(graph);
    const job: StoredJob = {
      fields: {
        status: 'queued',
        progress: '0',
        graph: text,
        plane,
        createdAt: event.at,
        updatedAt: event.at,
        error: '',
        cancel: '0',
      },
      expiresAt: 0,
    };
    this.touch(job, options?.ttlSeconds);
    this.jobs.set(jobId, job);
    this.add(plane, { jobId, graph: text, from: 'api' });
    this.emitEvent(event);
    return true;
  }

  async getJob(jobId: string): Promise<JobRecord | null> {
    const job = this.job(jobId);
    return job ? recordFromFields(jobId, job.fields) : null;
  }

  async claimOnce(name: string, ttlSeconds: number): Promise<boolean> {
    const now = Date.now();
    for (const [claimed, expiresAt] of this.claims) if (expiresAt <= now) this.claims.delete(claimed);
    if (this.claims.has(name)) return false;
    this.claims.set(name, now + Math.max(1, Math.ceil(ttlSeconds)) * 1000);
    return true;
  }

  async deleteJob(jobId: string): Promise<boolean> {
    const existed = this.job(jobId) !== undefined;
    this.jobs.delete(jobId);
    return existed;
  }

  async requeue(graph: WorkflowGraph, plane: Plane | null, update: RecordUpdate): Promise<void> {
    const jobId = graph.workflowId;
    const text = JSON.stringify(graph);
    const existing = this.job(jobId);
    const job: StoredJob = existing ?? {
      fields: { createdAt: graph.metadata?.createdAt ?? nowIso(), cancel: '0' },
      expiresAt: 0,
    };
    Object.assign(job.fields, {
      status: update.status,
      progress: String(update.progress),
      graph: text,
      updatedAt: nowIso(),
      error: update.error ? JSON.stringify(update.error) : '',
    });
    if (plane !== null) job.fields.plane = plane;
    this.touch(job);
    this.jobs.set(jobId, job);
    if (plane !== null) this.add(plane, { jobId, graph: text, from: 'requeue' });
    this.emitEvent(update.event);
  }

  async read(plane: Plane, consumer: string, count: number, blockMs: number): Promise<Delivery[]> {
    const stream = this.stream(plane);
    stream.consumers.add(consumer);
    const deadline = Date.now() + blockMs;
    while (!this.closed) {
      const start = stream.firstAfter(stream.lastDelivered);
      if (start !== -1) {
        const now = Date.now();
        const batch = stream.entries.slice(start, start + count);
        const last = batch[batch.length - 1];
        if (last) stream.lastDelivered = last.seq;
        return batch.map((entry) => {
          stream.pending.set(entry.id, { consumer, deliveredAt: now, deliveries: 1 });
          return { plane, entryId: entry.id, consumer, fields: { ...entry.fields }, deliveries: 1 };
        });
      }
      const wait = deadline - Date.now();
      if (wait <= 0) return [];
      await new Promise<void>((resolve) => {
        const waiter: Waiter = {
          wake: () => {
            clearTimeout(timer);
            resolve();
          },
        };
        const timer = setTimeout(() => {
          stream.waiters.delete(waiter);
          resolve();
        }, wait);
        stream.waiters.add(waiter);
      });
    }
    return [];
  }

  async reclaim(plane: Plane, consumer: string, minIdleMs: number, count: number): Promise<Delivery[]> {
    const stream = this.stream(plane);
    stream.consumers.add(consumer);
    const now = Date.now();
    const out: Delivery[] = [];
    for (const entry of stream.entries) {
      if (out.length >= count) break;
      const pending = stream.pending.get(entry.id);
      if (!pending || now - pending.deliveredAt < minIdleMs) continue;
      pending.consumer = consumer;
      pending.deliveredAt = now;
      pending.deliveries += 1;
      out.push({
        plane,
        entryId: entry.id,
        consumer,
        fields: { ...entry.fields },
        deliveries: pending.deliveries,
      });
    }
    return out;
  }

  async heartbeat(plane: Plane, consumer: string, entryIds: readonly string[]): Promise<string[]> {
    const stream = this.stream(plane);
    const now = Date.now();
    return entryIds.filter((id) => {
      const pending = stream.pending.get(id);
      if (!pending || pending.consumer !== consumer) return false;
      pending.deliveredAt = now;
      return true;
    });
  }

  private write(job: StoredJob, update: RecordUpdate): void {
    Object.assign(job.fields, {
      graph: JSON.stringify(update.graph),
      status: update.status,
      progress: String(update.progress),
      updatedAt: nowIso(),
      error: update.error ? JSON.stringify(update.error) : '',
    });
    this.touch(job);
  }

  async checkpoint(delivery: Delivery, update: RecordUpdate): Promise<TransitionOutcome> {
    if (!this.owned(delivery)) return 'lost';
    const job = this.job(update.graph.workflowId);
    if (!job || job.fields.cancel === '1') return 'cancelled';
    this.write(job, update);
    this.emitEvent(update.event);
    return 'ok';
  }

  async handoff(delivery: Delivery, next: Plane, update: RecordUpdate): Promise<TransitionOutcome> {
    if (!this.owned(delivery)) return 'lost';
    const jobId = update.graph.workflowId;
    const job = this.job(jobId);
    if (!job || job.fields.cancel === '1') return 'cancelled';
    this.write(job, update);
    job.fields.plane = next;
    this.add(next, { jobId, graph: job.fields.graph ?? '', from: delivery.plane });
    this.ack(delivery.plane, delivery.entryId);
    this.emitEvent(update.event);
    return 'ok';
  }

  async finish(delivery: Delivery, update: RecordUpdate): Promise<TransitionOutcome> {
    if (!this.owned(delivery)) return 'lost';
    const job = this.job(update.graph.workflowId);
    if (job) {
      this.write(job, update);
      this.emitEvent(update.event);
    }
    this.ack(delivery.plane, delivery.entryId);
    return 'ok';
  }

  async release(delivery: Delivery, graph: WorkflowGraph): Promise<TransitionOutcome> {
    if (!this.owned(delivery)) return 'lost';
    const text = JSON.stringify(graph);
    this.add(delivery.plane, { jobId: graph.workflowId, graph: text, from: 'release' });
    this.ack(delivery.plane, delivery.entryId);
    const job = this.job(graph.workflowId);
    if (job) {
      job.fields.graph = text;
      job.fields.updatedAt = nowIso();
      this.touch(job);
    }
    return 'ok';
  }

  async deadLetter(delivery: Delivery, error: NodeError, graph?: WorkflowGraph): Promise<void> {
    if (!this.owned(delivery)) return;
    const jobId = jobIdOf(delivery);
    const failure = failureOfError(error);
    const at = nowIso();
    this.seq += 1;
    this.dead.push({
      id: `${Date.now()}-${this.seq}`,
      plane: delivery.plane,
      entryId: delivery.entryId,
      jobId,
      code: error.code,
      message: error.message,
      deliveries: delivery.deliveries,
      at,
      fields: deadLetterFields(delivery),
    });
    if (this.dead.length > DEAD_LETTER_MAXLEN) this.dead.shift();
    this.ack(delivery.plane, delivery.entryId);
    const job = jobId === null ? undefined : this.job(jobId);
    if (jobId !== null && job) {
      Object.assign(job.fields, { status: 'failed', error: JSON.stringify(failure), updatedAt: at });
      if (graph) job.fields.graph = JSON.stringify(graph);
      this.touch(job);
      this.emitEvent(statusEvent(jobId, 'failed', 0, { error: failure, message: error.message }));
    }
  }

  async listDeadLetters(count: number): Promise<DeadLetter[]> {
    return this.dead
      .slice(-count)
      .reverse()
      .map((d) => ({ ...d, fields: { ...d.fields } }));
  }

  async reportProgress(event: JobEvent): Promise<void> {
    const job = this.job(event.jobId);
    if (job && event.progress !== undefined) {
      job.fields.progress = String(event.progress);
      job.fields.updatedAt = event.at;
    }
    this.emitEvent(event);
  }

  async publish(event: JobEvent): Promise<void> {
    this.emitEvent(event);
  }

  async subscribe(handler: (event: JobEvent) => void): Promise<Unsubscribe> {
    this.pubsub.on('event', handler);
    return async () => {
      this.pubsub.off('event', handler);
    };
  }

  async onControl(handler: (message: ControlMessage) => void): Promise<Unsubscribe> {
    this.pubsub.on('control', handler);
    return async () => {
      this.pubsub.off('control', handler);
    };
  }

  async retry(graph: WorkflowGraph, plane: Plane): Promise<boolean> {
    const jobId = graph.workflowId;
    const job = this.job(jobId);
    if (!job || (job.fields.status !== 'failed' && job.fields.status !== 'cancelled')) return false;
    const progress = jobProgress(graph);
    const event = statusEvent(jobId, 'queued', progress, { message: 'retry requested' });
    const text = JSON.stringify(graph);
    Object.assign(job.fields, {
      status: 'queued',
      progress: String(progress),
      graph: text,
      plane,
      updatedAt: event.at,
      error: '',
      cancel: '0',
    });
    this.touch(job);
    this.add(plane, { jobId, graph: text, from: 'retry' });
    this.emitEvent(event);
    return true;
  }

  async requestCancel(jobId: string, reason?: string): Promise<JobRecord | null> {
    const job = this.job(jobId);
    if (!job) return null;
    const status = job.fields.status;
    if (status === 'completed' || status === 'failed' || status === 'cancelled') {
      return recordFromFields(jobId, job.fields);
    }
    const at = new Date();
    job.fields.cancel = '1';
    job.fields.updatedAt = at.toISOString();
    if (status === 'queued') {
      const record = recordFromFields(jobId, job.fields);
      const failure = { code: 'JOB_CANCELLED', message: reason ?? 'cancelled by request', retryable: false };
      if (record?.graph) job.fields.graph = JSON.stringify(cancelGraph(record.graph, at, reason));
      job.fields.status = 'cancelled';
      job.fields.error = JSON.stringify(failure);
      this.emitEvent(statusEvent(jobId, 'cancelled', record?.progress ?? 0, { error: failure }));
    }
    this.touch(job);
    const control: ControlMessage =
      reason === undefined ? { type: 'cancel', jobId } : { type: 'cancel', jobId, reason };
    setImmediate(() => this.pubsub.emit('control', { ...control }));
    return recordFromFields(jobId, job.fields);
  }

  async trim(plane: Plane): Promise<number> {
    const stream = this.stream(plane);
    let keepFrom = stream.lastDelivered;
    for (const id of stream.pending.keys()) {
      const entry = stream.entry(id);
      if (entry && entry.seq < keepFrom) keepFrom = entry.seq;
    }
    return stream.dropBefore(keepFrom);
  }

  async stats(plane: Plane): Promise<PlaneStats> {
    const stream = this.stream(plane);
    return {
      plane,
      length: stream.entries.length,
      pending: stream.pending.size,
      lag: stream.undelivered().length,
      consumers: stream.consumers.size,
    };
  }

  async queuePosition(plane: Plane, jobId: string): Promise<number | null> {
    const stream = this.stream(plane);
    const waiting = stream.undelivered();
    const index = waiting.findIndex((e) => e.fields.jobId === jobId);
    return index === -1 ? null : index;
  }

  on<E extends keyof BusEvents>(event: E, listener: BusEvents[E]): void {
    this.emitter.on(event, listener);
  }

  off<E extends keyof BusEvents>(event: E, listener: BusEvents[E]): void {
    this.emitter.off(event, listener);
  }
}
