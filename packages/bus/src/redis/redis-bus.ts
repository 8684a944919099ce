/**
 * RedisBus: the bus on Redis Streams. One stream per plane with one consumer group; every multi-key state
 * change is one Lua script (./lua) that also publishes its event. See docs/plane-protocol.md.
 */

import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { BusConfig, JobEvent, NodeError, Plane, WorkflowGraph } from '@myspinbot/contracts';
import { cancelGraph, jobProgress } from '@myspinbot/workflow';
import { Redis, type RedisOptions } from 'ioredis';
import { BusKeys, PLANES } from '../keys.js';
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
import { SCRIPTS } from './scripts.js';

export interface RedisBusOptions {
  url: string;
  config: BusConfig;
  /** Extra ioredis options (tests use them to shorten retry delays). */
  redis?: RedisOptions;
  /** Longest backoff between reconnection attempts (ms). */
  maxReconnectDelayMs?: number;
}

const DEAD_LETTER_MAXLEN = 10_000;

type RawEntry = [string, string[]];

function fieldsOf(flat: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const key = flat[i];
    const value = flat[i + 1];
    if (key !== undefined && value !== undefined) out[key] = value;
  }
  return out;
}

function isNoGroup(error: unknown): boolean {
  return error instanceof Error && error.message.includes('NOGROUP');
}

export class RedisBus implements Bus {
  readonly kind = 'redis' as const;
  readonly keys: BusKeys;
  private readonly emitter = new EventEmitter();
  private readonly cmd: Redis;
  private readonly readers = new Map<string, Redis>();
  private sub: Redis | null = null;
  private readonly eventHandlers = new Set<(event: JobEvent) => void>();
  private readonly controlHandlers = new Set<(message: ControlMessage) => void>();
  private readonly reclaimCursors = new Map<Plane, string>();
  private epoch: string | null = null;
  private monitor: NodeJS.Timeout | null = null;
  private closed = false;
  private checking: Promise<'ok' | 'reset'> | null = null;
  /** Resets noticed so far. */
  private resets = 0;

  constructor(private readonly options: RedisBusOptions) {
    this.keys = new BusKeys(options.config.prefix);
    this.cmd = this.connect('cmd');
    this.cmd.on('ready', () => {
      this.emitter.emit('connection', 'up');
      // After a reconnect, look at once for a Redis that came back empty.
      if (this.epoch !== null) void this.checkState().catch((error: unknown) => this.emitError(error));
    });
    this.cmd.on('end', () => this.emitter.emit('connection', 'down'));
    this.cmd.on('close', () => this.emitter.emit('connection', 'down'));
  }

  get config(): BusConfig {
    return this.options.config;
  }

  private connect(role: string): Redis {
    const maxDelay = this.options.maxReconnectDelayMs ?? 2_000;
    const client = new Redis(this.options.url, {
      connectionName: `myspinbot:${role}`,
      // Commands wait for the connection to come back instead of failing the executor's work.
      maxRetriesPerRequest: null,
      enableReadyCheck: true,
      retryStrategy: (times) =>
        Math.min(50 * 2 ** Math.min(times, 8), maxDelay) + Math.floor(Math.random() * 50),
      lazyConnect: false,
      // Commands the command connection gets in one tick (many jobs in flight) leave in one write. Blocking
      // reads and the subscriber have their own connections and keep one command per write.
      enableAutoPipelining: role === 'cmd',
      ...this.options.redis,
    });
    client.on('error', (error: Error) => {
      // Connection errors are expected while Redis restarts; ioredis reconnects with backoff.
      // An 'error' event without a listener would throw: report only to those who listen.
      if (!this.closed && this.emitter.listenerCount('error') > 0) this.emitter.emit('error', error);
    });
    return client;
  }

  private emitError(error: unknown): void {
    if (this.emitter.listenerCount('error') === 0) return;
    this.emitter.emit('error', error instanceof Error ? error : new Error(String(error)));
  }

  private reader(plane: Plane, consumer: string): Redis {
    const key = `${plane}:${consumer}`;
    let client = this.readers.get(key);
    if (!client) {
      client = this.connect(`read:${plane}:${consumer}`);
      this.readers.set(key, client);
    }
    return client;
  }

  private async ensureGroups(): Promise<void> {
    for (const plane of PLANES) {
      try {
        await this.cmd.xgroup('CREATE', this.keys.stream(plane), this.keys.group, '0', 'MKSTREAM');
      } catch (error) {
        if (!(error instanceof Error && error.message.includes('BUSYGROUP'))) throw error;
      }
    }
  }

  async init(): Promise<void> {
    await this.ensureGroups();
    await this.cmd.set(this.keys.epoch, randomUUID(), 'NX');
    this.epoch = await this.cmd.get(this.keys.epoch);
    if (this.monitor === null) {
      this.monitor = setInterval(() => {
        void this.checkState().catch((error: unknown) => this.emitError(error));
      }, this.options.config.resetCheckIntervalMs);
      this.monitor.unref();
    }
  }

  async checkState(): Promise<'ok' | 'reset'> {
    // One check at a time: the monitor, a reconnect and a NOGROUP error may all ask at once.
    this.checking ??= (async () => {
      const current = await this.cmd.get(this.keys.epoch);
      if (current !== null && current === this.epoch) return 'ok' as const;
      await this.ensureGroups();
      if (current === null) await this.cmd.set(this.keys.epoch, randomUUID(), 'NX');
      this.epoch = await this.cmd.get(this.keys.epoch);
      this.reclaimCursors.clear();
      this.resets += 1;
      this.emitter.emit('reset');
      return 'reset' as const;
    })().finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.monitor) clearInterval(this.monitor);
    this.monitor = null;
    const clients = [this.cmd, ...this.readers.values(), ...(this.sub ? [this.sub] : [])];
    this.readers.clear();
    this.sub = null;
    await Promise.all(
      clients.map(async (client) => {
        if (client.status === 'end') return;
        // Blocked readers cannot QUIT in time: disconnect them.
        client.disconnect(false);
      }),
    );
  }

  async ping(): Promise<boolean> {
    if (this.cmd.status !== 'ready') return false;
    try {
      return (await this.cmd.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  private ttl(options?: SubmitOptions): number {
    return options?.ttlSeconds ?? this.options.config.jobTtlSeconds;
  }

  async submit(graph: WorkflowGraph, plane: Plane, options?: SubmitOptions): Promise<boolean> {
    const jobId = graph.workflowId;
    const event = statusEvent(jobId, 'queued', 0);
    const created = await SCRIPTS.submit.run(
      this.cmd,
      [this.keys.job(jobId), this.keys.stream(plane)],
      [
        jobId,
        JSON.stringify(graph),
        plane,
        event.at,
        this.ttl(options),
        JSON.stringify(event),
        this.keys.events,
      ],
    );
    return created === 1;
  }

  async getJob(jobId: string): Promise<JobRecord | null> {
    const fields = await this.cmd.hgetall(this.keys.job(jobId));
    return recordFromFields(jobId, fields);
  }

  async deleteJob(jobId: string): Promise<boolean> {
    return (await this.cmd.del(this.keys.job(jobId))) === 1;
  }

  async requeue(graph: WorkflowGraph, plane: Plane | null, update: RecordUpdate): Promise<void> {
    const jobId = graph.workflowId;
    await SCRIPTS.requeue.run(
      this.cmd,
      [this.keys.job(jobId), this.keys.stream(plane ?? 'node')],
      [
        jobId,
        JSON.stringify(graph),
        plane ?? '',
        update.status,
        update.progress,
        nowIso(),
        this.options.config.jobTtlSeconds,
        JSON.stringify(update.event),
        this.keys.events,
        graph.metadata?.createdAt ?? nowIso(),
        update.error ? JSON.stringify(update.error) : '',
      ],
    );
  }

  async read(plane: Plane, consumer: string, count: number, blockMs: number): Promise<Delivery[]> {
    const client = this.reader(plane, consumer);
    let reply: [string, RawEntry[]][] | null;
    try {
      reply = (await client.xreadgroup(
        'GROUP',
        this.keys.group,
        consumer,
        'COUNT',
        count,
        'BLOCK',
        blockMs,
        'STREAMS',
        this.keys.stream(plane),
        '>',
      )) as [string, RawEntry[]][] | null;
    } catch (error) {
      if (isNoGroup(error)) {
        await this.checkState();
        return [];
      }
      throw error;
    }
    const entries = reply?.[0]?.[1] ?? [];
    return entries.map(([entryId, flat]) => ({
      plane,
      entryId,
      consumer,
      fields: fieldsOf(flat),
      deliveries: 1,
    }));
  }

  async reclaim(plane: Plane, consumer: string, minIdleMs: number, count: number): Promise<Delivery[]> {
    const cursor = this.reclaimCursors.get(plane) ?? '0-0';
    let reply: [string, [string, string[], number][], string[]];
    try {
      reply = (await SCRIPTS.reclaim.run(
        this.cmd,
        [this.keys.stream(plane)],
        [this.keys.group, consumer, minIdleMs, count, cursor],
      )) as [string, [string, string[], number][], string[]];
    } catch (error) {
      if (isNoGroup(error)) {
        await this.checkState();
        return [];
      }
      throw error;
    }
    this.reclaimCursors.set(plane, reply[0]);
    return reply[1].map(([entryId, flat, deliveries]) => ({
      plane,
      entryId,
      consumer,
      fields: fieldsOf(flat ?? []),
      deliveries: Number(deliveries),
    }));
  }

  async heartbeat(plane: Plane, consumer: string, entryIds: readonly string[]): Promise<string[]> {
    if (entryIds.length === 0) return [];
    const kept = (await SCRIPTS.heartbeat.run(
      this.cmd,
      [this.keys.stream(plane)],
      [this.keys.group, consumer, ...entryIds],
    )) as string[];
    return kept;
  }

  private transitionArgs(delivery: Delivery, update: RecordUpdate): (string | number)[] {
    return [
      this.keys.group,
      delivery.entryId,
      delivery.consumer,
      JSON.stringify(update.graph),
      update.status,
      update.progress,
      nowIso(),
      this.options.config.jobTtlSeconds,
      update.error ? JSON.stringify(update.error) : '',
      JSON.stringify(update.event),
      this.keys.events,
    ];
  }

  /**
   * Runs an ownership-checked transition. 'lost' from a Redis that came back empty is not a lost claim: the
   * entry went with the state. The script answers 'lost' there as well (no group, or groups re-created by
   * another process), possibly before this process noticed the reset, so a 'lost' is checked against the
   * state: after a reset (noticed now or while the script ran) the call fails instead, and the caller's
   * retry finds the job re-registered by its 'reset' listeners.
   */
  private async owned(run: () => Promise<unknown>): Promise<TransitionOutcome> {
    const resetsBefore = this.resets;
    const outcome = (await run()) as TransitionOutcome;
    if (outcome !== 'lost') return outcome;
    if (this.resets !== resetsBefore || (await this.checkState()) === 'reset') {
      throw new Error('the bus lost its state (Redis restarted empty) under this transition; retry it');
    }
    return outcome;
  }

  async checkpoint(delivery: Delivery, update: RecordUpdate): Promise<TransitionOutcome> {
    return this.owned(() =>
      SCRIPTS.checkpoint.run(
        this.cmd,
        [this.keys.stream(delivery.plane), this.keys.job(update.graph.workflowId)],
        this.transitionArgs(delivery, update),
      ),
    );
  }

  async handoff(delivery: Delivery, next: Plane, update: RecordUpdate): Promise<TransitionOutcome> {
    return this.owned(() =>
      SCRIPTS.handoff.run(
        this.cmd,
        [this.keys.stream(delivery.plane), this.keys.job(update.graph.workflowId), this.keys.stream(next)],
        [...this.transitionArgs(delivery, update), update.graph.workflowId, next, delivery.plane],
      ),
    );
  }

  async finish(delivery: Delivery, update: RecordUpdate): Promise<TransitionOutcome> {
    return this.owned(() =>
      SCRIPTS.finish.run(
        this.cmd,
        [this.keys.stream(delivery.plane), this.keys.job(update.graph.workflowId)],
        this.transitionArgs(delivery, update),
      ),
    );
  }

  async release(delivery: Delivery, graph: WorkflowGraph): Promise<TransitionOutcome> {
    return (await SCRIPTS.release.run(
      this.cmd,
      [this.keys.stream(delivery.plane), this.keys.job(graph.workflowId)],
      [
        this.keys.group,
        delivery.entryId,
        delivery.consumer,
        JSON.stringify(graph),
        graph.workflowId,
        nowIso(),
        this.options.config.jobTtlSeconds,
      ],
    )) as TransitionOutcome;
  }

  async deadLetter(delivery: Delivery, error: NodeError, graph?: WorkflowGraph): Promise<void> {
    const jobId = jobIdOf(delivery);
    const failure = failureOfError(error);
    const event = statusEvent(jobId ?? 'unknown', 'failed', 0, { error: failure, message: error.message });
    await SCRIPTS.deadLetter.run(
      this.cmd,
      [this.keys.stream(delivery.plane), this.keys.deadLetters, this.keys.job(jobId ?? '-')],
      [
        this.keys.group,
        delivery.entryId,
        delivery.consumer,
        delivery.plane,
        jobId ?? '',
        error.code,
        error.message,
        delivery.deliveries,
        event.at,
        JSON.stringify(deadLetterFields(delivery)),
        JSON.stringify(failure),
        graph ? JSON.stringify(graph) : '',
        this.options.config.jobTtlSeconds,
        JSON.stringify(event),
        this.keys.events,
        DEAD_LETTER_MAXLEN,
      ],
    );
  }

  async listDeadLetters(count: number): Promise<DeadLetter[]> {
    const entries = (await this.cmd.xrevrange(this.keys.deadLetters, '+', '-', 'COUNT', count)) as RawEntry[];
    return entries.map(([id, flat]) => {
      const f = fieldsOf(flat);
      let fields: Record<string, string> = {};
      try {
        fields = JSON.parse(f.fields ?? '{}') as Record<string, string>;
      } catch {
        fields = {};
      }
      return {
        id,
        plane: f.plane === 'node' ? 'node' : 'python',
        entryId: f.entryId ?? '',
        jobId: f.jobId ? f.jobId : null,
        code: f.code ?? '',
        message: f.message ?? '',
        deliveries: Number(f.deliveries ?? 0),
        at: f.at ?? '',
        fields,
      };
    });
  }

  async reportProgress(event: JobEvent): Promise<void> {
    await SCRIPTS.progress.run(
      this.cmd,
      [this.keys.job(event.jobId)],
      [
        event.progress === undefined ? '' : String(event.progress),
        event.at,
        JSON.stringify(event),
        this.keys.events,
      ],
    );
  }

  async claimOnce(name: string, ttlSeconds: number): Promise<boolean> {
    const ttl = Math.max(1, Math.ceil(ttlSeconds));
    return (await this.cmd.set(this.keys.once(name), '1', 'EX', ttl, 'NX')) === 'OK';
  }

  async publish(event: JobEvent): Promise<void> {
    await this.cmd.publish(this.keys.events, JSON.stringify(event));
  }

  private async subscriber(): Promise<Redis> {
    if (this.sub) return this.sub;
    const sub = this.connect('sub');
    this.sub = sub;
    sub.on('message', (channel: string, text: string) => {
      let message: unknown;
      try {
        message = JSON.parse(text);
      } catch {
        return;
      }
      if (channel === this.keys.events) {
        for (const handler of this.eventHandlers) handler(message as JobEvent);
      } else if (channel === this.keys.control) {
        for (const handler of this.controlHandlers) handler(message as ControlMessage);
      }
    });
    await sub.subscribe(this.keys.events, this.keys.control);
    return sub;
  }

  async subscribe(handler: (event: JobEvent) => void): Promise<Unsubscribe> {
    this.eventHandlers.add(handler);
    await this.subscriber();
    return async () => {
      this.eventHandlers.delete(handler);
    };
  }

  async onControl(handler: (message: ControlMessage) => void): Promise<Unsubscribe> {
    this.controlHandlers.add(handler);
    await this.subscriber();
    return async () => {
      this.controlHandlers.delete(handler);
    };
  }

  async retry(graph: WorkflowGraph, plane: Plane): Promise<boolean> {
    const jobId = graph.workflowId;
    const progress = jobProgress(graph);
    const event = statusEvent(jobId, 'queued', progress, { message: 'retry requested' });
    const done = await SCRIPTS.retry.run(
      this.cmd,
      [this.keys.job(jobId), this.keys.stream(plane)],
      [
        jobId,
        JSON.stringify(graph),
        plane,
        progress,
        event.at,
        this.options.config.jobTtlSeconds,
        JSON.stringify(event),
        this.keys.events,
      ],
    );
    return done === 1;
  }

  async requestCancel(jobId: string, reason?: string): Promise<JobRecord | null> {
    const record = await this.getJob(jobId);
    if (!record) return null;
    const at = new Date();
    const graph = record.graph ? cancelGraph(record.graph, at, reason) : null;
    const failure = { code: 'JOB_CANCELLED', message: reason ?? 'cancelled by request', retryable: false };
    const event = statusEvent(jobId, 'cancelled', record.progress, { error: failure });
    const control: ControlMessage =
      reason === undefined ? { type: 'cancel', jobId } : { type: 'cancel', jobId, reason };
    await SCRIPTS.cancel.run(
      this.cmd,
      [this.keys.job(jobId)],
      [
        graph ? JSON.stringify(graph) : '',
        at.toISOString(),
        this.options.config.jobTtlSeconds,
        JSON.stringify(event),
        this.keys.events,
        this.keys.control,
        JSON.stringify(control),
        JSON.stringify(failure),
      ],
    );
    return this.getJob(jobId);
  }

  async trim(plane: Plane): Promise<number> {
    return Number(await SCRIPTS.trim.run(this.cmd, [this.keys.stream(plane)], [this.keys.group]));
  }

  private async groupInfo(plane: Plane): Promise<Record<string, string | number>> {
    try {
      const groups = (await this.cmd.xinfo('GROUPS', this.keys.stream(plane))) as (string | number)[][];
      for (const flat of groups) {
        const info: Record<string, string | number> = {};
        for (let i = 0; i + 1 < flat.length; i += 2) {
          const key = flat[i];
          const value = flat[i + 1];
          if (typeof key === 'string' && value !== undefined) info[key] = value;
        }
        if (info.name === this.keys.group) return info;
      }
    } catch {
      // No stream or group: empty stats.
    }
    return {};
  }

  async stats(plane: Plane): Promise<PlaneStats> {
    const [length, info] = await Promise.all([this.cmd.xlen(this.keys.stream(plane)), this.groupInfo(plane)]);
    return {
      plane,
      length,
      pending: Number(info.pending ?? 0),
      lag: Number(info.lag ?? 0),
      consumers: Number(info.consumers ?? 0),
    };
  }

  async queuePosition(plane: Plane, jobId: string): Promise<number | null> {
    const info = await this.groupInfo(plane);
    const last = typeof info['last-delivered-id'] === 'string' ? info['last-delivered-id'] : '0-0';
    const entries = (await this.cmd.xrange(
      this.keys.stream(plane),
      `(${last}`,
      '+',
      'COUNT',
      10_000,
    )) as RawEntry[];
    const index = entries.findIndex(([, flat]) => fieldsOf(flat).jobId === jobId);
    return index === -1 ? null : index;
  }

  on<E extends keyof BusEvents>(event: E, listener: BusEvents[E]): void {
    this.emitter.on(event, listener);
  }

  off<E extends keyof BusEvents>(event: E, listener: BusEvents[E]): void {
    this.emitter.off(event, listener);
  }
}
