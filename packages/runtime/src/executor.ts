/**
 * PlaneExecutor: the one executor both planes run. It consumes its plane's stream, validates each entry,
 * runs the ready nodes of its plane through the service registry (timeouts, cancellation, progress,
 * heartbeats), then hands the graph to the next plane or finishes the job, each in one atomic bus step.
 *
 * Rules it keeps:
 * - A graph is validated on the way in; a malformed entry is dead-lettered, never retried or crashed on.
 * - An entry delivered more than maxDeliveries times is dead-lettered and its job failed.
 * - Only the consumer that owns an entry moves its job forward ('lost' outcomes are dropped), so a job
 *   reclaimed from a slow or dead consumer completes once.
 * - A node of another plane is never run here.
 * - After the store lost its state (Redis restarted empty), jobs in flight are re-registered and carried on.
 */

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Bus, Delivery, RecordUpdate, TransitionOutcome } from '@myspinbot/bus';
import { statusEvent } from '@myspinbot/bus';
import {
  type BusConfig,
  type GraphNode,
  type JobEvent,
  MySpinBotError,
  type Plane,
  type PlaneManifest,
  toNodeError,
  type WorkflowGraph,
} from '@myspinbot/contracts';
import {
  applyNodeResult,
  cancelGraph,
  failureOf,
  finalizeGraph,
  isTerminal,
  jobProgress,
  jobStatusOf,
  type NodeResult,
  nextPlane,
  readyNodes,
  reportNodeProgress,
  resolveInput,
  startNode,
} from '@myspinbot/workflow';
import { abortReason, raceAbort, sleep } from './abort.js';
import type { ExecutorHooks, TransitionKind } from './hooks.js';
import { type Logger, silentLogger } from './logger.js';
import { parseDelivery } from './parse-delivery.js';
import { resumableGraph } from './redelivery.js';
import type { ServiceContext, ServiceRegistry } from './service.js';

export interface PlaneExecutorOptions<D> {
  bus: Bus;
  registry: ServiceRegistry<D>;
  deps: D;
  /** Bus timings (visibility timeout, heartbeats, reclaim, max deliveries, block time). */
  config: BusConfig;
  /** Consumer name, unique per process and plane (default: host-pid-random). */
  consumer?: string;
  /** Entries worked on at once. */
  concurrency?: number;
  /** Timeout of a node whose service and node set none (ms). */
  defaultNodeTimeoutMs?: number;
  /** Least time between two progress events of one node (ms). */
  progressIntervalMs?: number;
  logger?: Logger;
  hooks?: ExecutorHooks;
  version?: string;
}

export type ExecutorState = 'created' | 'running' | 'draining' | 'stopped';

interface InFlight {
  readonly delivery: Delivery;
  readonly controller: AbortController;
  jobId: string | null;
  graph: WorkflowGraph | null;
  /** The store lost the entry (Redis came back empty): transitions go through requeue. */
  orphaned: boolean;
  /** Nodes may start before their 'running' checkpoint landed (see mayStartAtOnce). */
  startsAtOnce: boolean;
  /** The job left this executor: handed off or finished. A reset no longer concerns it here. */
  ended: boolean;
  /** After a reset: settles once it is known whether the store still holds this entry (see onReset). */
  resetCheck: Promise<void> | null;
}

const DEFAULT_NODE_TIMEOUT_MS = 30 * 60_000;

/** The job moves on through its stream entry (not orphaned by a reset, nor waiting for that decision). */
const entryHeld = (job: InFlight): boolean => !job.orphaned && job.resetCheck === null;
/** Clocks of the machines writing stream ids and running executors may differ by this much. */
const CLOCK_SKEW_MARGIN_MS = 1_000;
/** Cancels remembered for jobs not in flight here. */
const MAX_CANCELS_HEARD = 10_000;

export class PlaneExecutor<D = unknown> {
  readonly plane: Plane;
  readonly consumer: string;
  private readonly bus: Bus;
  private readonly registry: ServiceRegistry<D>;
  private readonly config: BusConfig;
  private readonly concurrency: number;
  private readonly log: Logger;
  private readonly hooks: ExecutorHooks;
  private readonly inflight = new Map<string, InFlight>();
  private readonly running = new Set<Promise<void>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly stopController = new AbortController();
  private loop: Promise<void> | null = null;
  private unsubscribeControl: (() => Promise<void>) | null = null;
  private slotWaiters: (() => void)[] = [];
  private reclaiming = false;
  private heartbeating = false;
  private _state: ExecutorState = 'created';
  /** When this executor began hearing cancel messages (ms since the epoch). */
  private listeningSince = Number.POSITIVE_INFINITY;
  /** Jobs whose cancel was heard while none of their entries was here: jobId -> when. */
  private readonly cancelsHeard = new Map<string, number>();

  constructor(private readonly options: PlaneExecutorOptions<D>) {
    this.bus = options.bus;
    this.registry = options.registry;
    this.plane = options.registry.plane;
    this.config = options.config;
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.consumer =
      options.consumer ?? `${hostname()}-${process.pid}-${this.plane}-${randomBytes(3).toString('hex')}`;
    this.log = (options.logger ?? silentLogger).child({ plane: this.plane, consumer: this.consumer });
    this.hooks = options.hooks ?? {};
  }

  get state(): ExecutorState {
    return this._state;
  }

  /** Entries being worked on now. */
  get busy(): number {
    return this.inflight.size;
  }

  manifest(): PlaneManifest {
    const executor: NonNullable<PlaneManifest['executor']> = { id: this.consumer, hostname: hostname() };
    if (this.options.version !== undefined) executor.version = this.options.version;
    return this.registry.manifest(executor);
  }

  async start(): Promise<void> {
    if (this._state !== 'created') throw new Error(`executor cannot start from state ${this._state}`);
    this._state = 'running';
    this.unsubscribeControl = await this.bus.onControl((message) => {
      if (message.type !== 'cancel') return;
      let found = false;
      for (const job of this.inflight.values()) {
        if (job.jobId === message.jobId) {
          found = true;
          job.controller.abort(
            new MySpinBotError('NODE_CANCELLED', message.reason ?? 'cancelled by request'),
          );
        }
      }
      if (!found) this.rememberCancel(message.jobId);
    });
    this.listeningSince = Date.now();
    this.bus.on('reset', this.onReset);
    this.every(this.config.heartbeatIntervalMs, () => this.heartbeat());
    this.every(this.config.reclaimIntervalMs, () => this.reclaim());
    this.every(this.config.trimIntervalMs, () => this.trim());
    this.loop = this.readLoop();
    this.log.info({ concurrency: this.concurrency, services: this.registry.names() }, 'executor started');
  }

  /**
   * Graceful stop: no new entries; in-flight work gets `drainMs` to finish, then is aborted and released
   * (re-enqueued at once for another consumer). Heartbeats go on until the last entry is settled.
   */
  async stop(drainMs = 10_000): Promise<void> {
    if (this._state !== 'running') return;
    this._state = 'draining';
    this.stopController.abort();
    for (const wake of this.slotWaiters.splice(0)) wake();
    await this.loop;
    const drained = await Promise.race([
      Promise.all([...this.running]).then(() => true),
      sleep(drainMs).then(() => false),
    ]);
    if (!drained) {
      for (const job of this.inflight.values()) {
        job.controller.abort(new MySpinBotError('SHUTTING_DOWN', 'executor is shutting down'));
      }
      await Promise.all([...this.running]);
    }
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    this.bus.off('reset', this.onReset);
    await this.unsubscribeControl?.();
    this._state = 'stopped';
    this.log.info({ drained }, 'executor stopped');
  }

  private every(ms: number, task: () => Promise<void>): void {
    const timer = setInterval(() => {
      task().catch((error: unknown) => this.log.warn({ err: error }, 'periodic task failed'));
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }

  private async readLoop(): Promise<void> {
    let backoffMs = 0;
    while (this._state === 'running') {
      const capacity = this.concurrency - this.inflight.size;
      if (capacity <= 0) {
        await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
        continue;
      }
      try {
        const deliveries = await this.bus.read(this.plane, this.consumer, capacity, this.config.blockMs);
        backoffMs = 0;
        for (const delivery of deliveries) {
          if (this._state === 'running') this.dispatch(delivery);
          else await this.giveBack(delivery);
        }
      } catch (error) {
        if (this._state !== 'running') break;
        backoffMs = Math.min(Math.max(100, backoffMs * 2), 5_000);
        this.log.warn({ err: error, retryInMs: backoffMs }, 'reading the stream failed');
        await sleep(backoffMs, this.stopController.signal);
      }
    }
  }

  /** An entry read while stopping goes straight back to the stream. */
  private async giveBack(delivery: Delivery): Promise<void> {
    try {
      const graph = parseDelivery(delivery);
      await this.bus.release(delivery, graph);
    } catch (error) {
      this.log.warn(
        { err: error, entryId: delivery.entryId },
        'could not release an entry; it will be reclaimed',
      );
    }
  }

  private dispatch(delivery: Delivery): void {
    if (this.inflight.has(delivery.entryId)) return;
    const job: InFlight = {
      delivery,
      controller: new AbortController(),
      jobId: delivery.fields.jobId ?? null,
      graph: null,
      orphaned: false,
      startsAtOnce: false,
      ended: false,
      resetCheck: null,
    };
    this.inflight.set(delivery.entryId, job);
    const work = this.process(job)
      .catch((error: unknown) => {
        this.log.error(
          { err: error, jobId: job.jobId, entryId: delivery.entryId },
          'entry processing failed',
        );
      })
      .finally(() => {
        this.inflight.delete(delivery.entryId);
        this.running.delete(work);
        const wake = this.slotWaiters.shift();
        wake?.();
      });
    this.running.add(work);
  }

  private async process(job: InFlight): Promise<void> {
    const { delivery } = job;
    const log = this.log.child({ jobId: job.jobId, entryId: delivery.entryId });
    let graph: WorkflowGraph;
    try {
      graph = parseDelivery(delivery);
    } catch (error) {
      const nodeError = toNodeError(error);
      log.error({ code: nodeError.code, reason: nodeError.message }, 'malformed entry dead-lettered');
      await this.bus.deadLetter(delivery, nodeError);
      this.hooks.onDeadLetter?.({ plane: this.plane, code: nodeError.code });
      return;
    }

    if (delivery.deliveries > this.config.maxDeliveries) {
      await this.deadLetterPoison(job, graph, log);
      return;
    }
    if (delivery.deliveries > 1) graph = await this.resumeFrom(graph);
    job.graph = graph;
    job.startsAtOnce = this.mayStartAtOnce(job);

    while (!job.controller.signal.aborted) {
      const ready = readyNodes(job.graph, this.plane);
      if (ready.length === 0) break;
      await Promise.all(ready.map((node) => this.runNode(job, node, log)));
      // The job is in flight here now: a cancel message aborts it directly.
      job.startsAtOnce = true;
    }
    await this.settle(job, log);
  }

  /** A redelivered entry resumes from the job record when it is further along than the entry's graph. */
  private async resumeFrom(graph: WorkflowGraph): Promise<WorkflowGraph> {
    const record = await this.bus.getJob(graph.workflowId);
    const saved = record?.graph;
    if (!record || !saved || saved.workflowId !== graph.workflowId) return resumableGraph(graph, this.plane);
    if (record.status === 'completed' || record.status === 'failed' || record.status === 'cancelled') {
      return saved;
    }
    return resumableGraph(saved, this.plane);
  }

  private async deadLetterPoison(job: InFlight, graph: WorkflowGraph, log: Logger): Promise<void> {
    const error = new MySpinBotError(
      'MAX_DELIVERIES_EXCEEDED',
      `entry delivered ${job.delivery.deliveries} times (limit ${this.config.maxDeliveries}); its executor kept dying or timing out`,
      { details: { entryId: job.delivery.entryId, deliveries: job.delivery.deliveries } },
    ).toNodeError();
    const at = new Date();
    let failed = resumableGraph(graph, this.plane);
    for (const node of readyNodes(failed, this.plane)) {
      failed = applyNodeResult(startNode(failed, node.id, at), node.id, { ok: false, error }, at);
    }
    log.error({ deliveries: job.delivery.deliveries }, 'poison entry dead-lettered');
    await this.bus.deadLetter(job.delivery, error, finalizeGraph(failed));
    this.hooks.onDeadLetter?.({ plane: this.plane, code: error.code });
  }

  private async runNode(job: InFlight, node: GraphNode, parentLog: Logger): Promise<void> {
    const jobId = node.id && job.graph ? job.graph.workflowId : '';
    const log = parentLog.child({ nodeId: node.id, service: node.service });
    const service = this.registry.get(node.service);
    const started = new Date();
    job.graph = startNode(this.graphOf(job), node.id, started);
    const runningCheckpoint = this.transition(
      job,
      'checkpoint',
      this.update(job, { nodeId: node.id, nodeStatus: 'running' }),
    );
    // The 'running' checkpoint (ownership and cancel check) travels while the service starts when a cancel
    // of this job could not have passed unheard (see mayStartAtOnce); otherwise it lands first. Any outcome
    // but 'ok' aborts the job and with it the service, and the node's result is applied only after the
    // checkpoint landed, so the record never goes backwards.
    // Awaited below; a rejection meanwhile must not count as unhandled.
    runningCheckpoint.catch(() => undefined);
    if (!job.startsAtOnce && (await runningCheckpoint) !== 'ok') return;
    log.debug('node started');

    let result: NodeResult;
    if (!service) {
      result = {
        ok: false,
        error: new MySpinBotError(
          'SERVICE_NOT_FOUND',
          `plane ${this.plane} has no service '${node.service}' (node ${node.id})`,
        ).toNodeError(),
      };
    } else {
      // The service sees the node as started (attempts counted, timings begun).
      const startedNode = this.graphOf(job).nodes.find((n) => n.id === node.id) ?? node;
      result = await this.callService(job, startedNode, service, jobId, log);
    }
    if ((await runningCheckpoint) !== 'ok' || job.controller.signal.aborted) return;
    const finished = new Date();
    job.graph = applyNodeResult(this.graphOf(job), node.id, result, finished);
    const durationMs = finished.getTime() - started.getTime();
    this.hooks.onNodeFinished?.({
      plane: this.plane,
      service: node.service,
      status: result.ok ? 'completed' : 'failed',
      ...(result.ok ? {} : { code: result.error.code }),
      durationMs,
    });
    if (result.ok) log.info({ durationMs }, 'node completed');
    else log.warn({ durationMs, code: result.error.code, reason: result.error.message }, 'node failed');

    // Persist a finished node at once only when more work of this plane follows; otherwise the handoff or
    // finish right after carries it.
    if (readyNodes(this.graphOf(job), this.plane).length > 0 || this.hasRunning(job)) {
      await this.transition(
        job,
        'checkpoint',
        this.update(job, { nodeId: node.id, nodeStatus: result.ok ? 'completed' : 'failed' }),
      );
    }
  }

  private async callService(
    job: InFlight,
    node: GraphNode,
    service: NonNullable<ReturnType<ServiceRegistry<D>['get']>>,
    jobId: string,
    log: Logger,
  ): Promise<NodeResult> {
    const graph = this.graphOf(job);
    const timeoutMs =
      node.timeoutMs ?? service.timeoutMs ?? this.options.defaultNodeTimeoutMs ?? DEFAULT_NODE_TIMEOUT_MS;
    const controller = new AbortController();
    const onJobAbort = () => controller.abort(job.controller.signal.reason);
    if (job.controller.signal.aborted) onJobAbort();
    else job.controller.signal.addEventListener('abort', onJobAbort, { once: true });
    const timer = setTimeout(
      () =>
        controller.abort(
          new MySpinBotError('NODE_TIMEOUT', `node ${node.id} ran past its timeout of ${timeoutMs} ms`),
        ),
      timeoutMs,
    );
    const progressIntervalMs = this.options.progressIntervalMs ?? 100;
    let lastProgressAt = 0;
    const ctx: ServiceContext<D> = {
      jobId,
      nodeId: node.id,
      node,
      params: node.params ?? {},
      context: graph.context ?? {},
      signal: controller.signal,
      log,
      deps: this.options.deps,
      progress: (fraction, message) => {
        if (controller.signal.aborted) return;
        const before = this.graphOf(job);
        job.graph = reportNodeProgress(before, node.id, fraction);
        const now = Date.now();
        if (job.graph === before || (now - lastProgressAt < progressIntervalMs && fraction < 1)) return;
        lastProgressAt = now;
        const nodeProgress = job.graph.nodes.find((n) => n.id === node.id)?.progress ?? 0;
        const event: JobEvent = {
          type: 'progress',
          jobId,
          at: new Date(now).toISOString(),
          progress: jobProgress(job.graph),
          nodeId: node.id,
          nodeProgress,
        };
        if (message !== undefined) event.message = message.slice(0, 2000);
        this.bus
          .reportProgress(event)
          .catch((error: unknown) => log.debug({ err: error }, 'progress not sent'));
      },
      publish: (key, value) => {
        const event: JobEvent = {
          type: 'data',
          jobId,
          at: new Date().toISOString(),
          nodeId: node.id,
          key,
          value,
        };
        this.bus.publish(event).catch((error: unknown) => log.debug({ err: error }, 'data event not sent'));
      },
    };
    try {
      const output = await raceAbort(service.run(resolveInput(graph, node.id), ctx), controller.signal);
      if (output === null || typeof output !== 'object' || Array.isArray(output)) {
        throw new MySpinBotError(
          'SERVICE_FAILED',
          `service ${node.service} returned ${Array.isArray(output) ? 'an array' : typeof output}, not an object`,
        );
      }
      // Outputs travel as JSON: normalise them now so what runs next sees what another process would see.
      return { ok: true, output: JSON.parse(JSON.stringify(output)) as Record<string, unknown> };
    } catch (error) {
      return {
        ok: false,
        error: controller.signal.aborted ? abortReason(controller.signal).toNodeError() : toNodeError(error),
      };
    } finally {
      clearTimeout(timer);
      job.controller.signal.removeEventListener('abort', onJobAbort);
    }
  }

  /**
   * A node may start before its 'running' checkpoint landed only when a cancel of its job would have been
   * heard here: the job is in flight already (a cancel aborts it directly), or its entry is a first delivery
   * written after this executor began listening (with a margin for clock skew between machines) and no
   * cancel of the job was heard meanwhile. Cancels that race the start still abort the node at once, through
   * the checkpoint's 'cancelled' outcome.
   */
  private mayStartAtOnce(job: InFlight): boolean {
    const { delivery } = job;
    if (delivery.deliveries !== 1 || job.orphaned) return false;
    if (job.jobId === null || this.cancelsHeard.has(job.jobId)) return false;
    const writtenAt = Number(delivery.entryId.split('-')[0]);
    return Number.isFinite(writtenAt) && writtenAt >= this.listeningSince + CLOCK_SKEW_MARGIN_MS;
  }

  private rememberCancel(jobId: string): void {
    this.cancelsHeard.delete(jobId);
    this.cancelsHeard.set(jobId, Date.now());
    // Oldest first (insertion order): keep the most recent ones.
    for (const oldest of this.cancelsHeard.keys()) {
      if (this.cancelsHeard.size <= MAX_CANCELS_HEARD) break;
      this.cancelsHeard.delete(oldest);
    }
  }

  private graphOf(job: InFlight): WorkflowGraph {
    if (!job.graph) throw new Error('job has no graph yet');
    return job.graph;
  }

  private hasRunning(job: InFlight): boolean {
    return this.graphOf(job).nodes.some((n) => n.status === 'running');
  }

  private update(job: InFlight, extra: Partial<JobEvent> = {}): RecordUpdate {
    const graph = this.graphOf(job);
    const status = jobStatusOf(graph);
    const progress = jobProgress(graph);
    const failure = failureOf(graph) ?? null;
    const event = statusEvent(graph.workflowId, status, progress, extra);
    if (failure && (status === 'failed' || status === 'cancelled')) event.error = failure;
    return { graph, status, progress, error: failure, event };
  }

  /** After the plane's work: finish, hand off, or act on why the job was aborted. */
  private async settle(job: InFlight, log: Logger): Promise<void> {
    const signal = job.controller.signal;
    if (signal.aborted) {
      const reason = abortReason(signal);
      if (reason.code === 'CLAIM_LOST') {
        log.warn('claim lost: another consumer owns the job now');
        return;
      }
      if (reason.code === 'SHUTTING_DOWN') {
        const outcome = job.orphaned
          ? 'lost'
          : await this.bus.release(job.delivery, resumableGraph(this.graphOf(job), this.plane));
        this.hooks.onTransition?.({ plane: this.plane, kind: 'release', outcome, durationMs: 0 });
        log.info({ outcome }, 'released on shutdown');
        return;
      }
      job.graph = cancelGraph(this.graphOf(job), new Date(), reason.message);
      await this.finish(job, log);
      return;
    }
    let graph = this.graphOf(job);
    if (jobStatusOf(graph) === 'failed') graph = finalizeGraph(graph);
    job.graph = graph;
    if (isTerminal(graph)) {
      await this.finish(job, log);
      return;
    }
    const next = nextPlane(graph);
    if (next === null || next === this.plane) {
      // No ready node anywhere and not terminal: the graph cannot progress. This is a bug, made visible.
      const error = new MySpinBotError(
        'SERVICE_FAILED',
        'the workflow cannot progress: no node is ready and none runs',
      );
      log.error({ graph: graph.nodes.map((n) => `${n.id}:${n.status}`) }, error.message);
      job.graph = finalizeGraph(cancelGraph(graph, new Date(), error.message));
      await this.finish(job, log);
      return;
    }
    const outcome = await this.transition(job, 'handoff', this.update(job), next);
    if (outcome === 'cancelled') {
      job.graph = cancelGraph(this.graphOf(job), new Date(), 'cancelled by request');
      await this.finish(job, log);
    } else if (outcome === 'ok') {
      log.debug({ next }, 'handed off');
    }
  }

  private async finish(job: InFlight, log: Logger): Promise<void> {
    const update = this.update(job);
    const outcome = await this.transition(job, 'finish', update);
    if (outcome !== 'ok') return;
    const graph = this.graphOf(job);
    const createdAt = Date.parse(graph.metadata?.createdAt ?? '');
    this.hooks.onJobFinished?.({
      plane: this.plane,
      status: update.status,
      pipeline: graph.metadata?.pipeline ?? 'unknown',
      durationMs: Number.isNaN(createdAt) ? 0 : Date.now() - createdAt,
    });
    log.info({ status: update.status, progress: update.progress }, 'job finished');
  }

  /**
   * One bus transition, retried with backoff while the store is unreachable. Orphaned jobs (the store lost
   * their entry) go through requeue. 'lost' aborts the job (another consumer owns it); 'cancelled' on a
   * checkpoint aborts it as cancelled.
   */
  private async transition(
    job: InFlight,
    kind: 'checkpoint' | 'handoff' | 'finish',
    update: RecordUpdate,
    next?: Plane,
  ): Promise<TransitionOutcome> {
    const started = Date.now();
    let backoffMs = 50;
    for (;;) {
      try {
        // After a reset, which way a transition goes (entry or requeue) waits for the ownership check.
        if (job.resetCheck) await job.resetCheck;
        let outcome: TransitionOutcome;
        if (job.orphaned) {
          const plane = kind === 'handoff' ? (next ?? null) : null;
          await this.bus.requeue(update.graph, plane, update);
          outcome = 'ok';
        } else if (kind === 'checkpoint') {
          outcome = await this.bus.checkpoint(job.delivery, update);
        } else if (kind === 'handoff' && next !== undefined) {
          outcome = await this.bus.handoff(job.delivery, next, update);
        } else {
          outcome = await this.bus.finish(job.delivery, update);
        }
        if (kind !== 'checkpoint' && outcome === 'ok') job.ended = true;
        if (kind !== 'checkpoint') {
          const hookKind: TransitionKind = job.orphaned
            ? 'requeue'
            : kind === 'handoff'
              ? 'handoff'
              : 'finish';
          this.hooks.onTransition?.({
            plane: this.plane,
            kind: hookKind,
            outcome,
            durationMs: Date.now() - started,
          });
        }
        if (outcome === 'lost' && !job.controller.signal.aborted) {
          job.controller.abort(new MySpinBotError('CLAIM_LOST', 'another consumer owns the entry now'));
        } else if (outcome === 'cancelled' && kind === 'checkpoint' && !job.controller.signal.aborted) {
          job.controller.abort(new MySpinBotError('NODE_CANCELLED', 'cancelled by request'));
        }
        return outcome;
      } catch (error) {
        if (this._state === 'stopped') throw error;
        this.log.warn(
          { err: error, jobId: job.jobId, kind, retryInMs: backoffMs },
          'bus transition failed; retrying',
        );
        await sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 2_000);
      }
    }
  }

  private async heartbeat(): Promise<void> {
    if (this.heartbeating) return;
    this.heartbeating = true;
    try {
      const ids = [...this.inflight.values()].filter(entryHeld).map((j) => j.delivery.entryId);
      if (ids.length === 0) return;
      const kept = new Set(await this.bus.heartbeat(this.plane, this.consumer, ids));
      const lost = ids.filter((id) => !kept.has(id));
      if (lost.length === 0) return;
      // Entries vanish from the pending list when Redis restarted empty: that is a reset, not a lost claim.
      if ((await this.bus.checkState()) === 'reset') return;
      for (const id of lost) {
        const job = this.inflight.get(id);
        // A job a reset concerns (orphaned, or its ownership being checked) has not lost its claim.
        if (job && entryHeld(job))
          job.controller.abort(new MySpinBotError('CLAIM_LOST', 'another consumer reclaimed the entry'));
      }
    } finally {
      this.heartbeating = false;
    }
  }

  private async reclaim(): Promise<void> {
    if (this._state !== 'running' || this.reclaiming) return;
    const capacity = this.concurrency - this.inflight.size;
    if (capacity <= 0) return;
    this.reclaiming = true;
    try {
      const deliveries = await this.bus.reclaim(
        this.plane,
        this.consumer,
        this.config.visibilityTimeoutMs,
        capacity,
      );
      if (deliveries.length === 0) return;
      this.hooks.onReclaim?.({ plane: this.plane, count: deliveries.length });
      this.log.info(
        {
          entries: deliveries.map((d) => ({
            entryId: d.entryId,
            jobId: d.fields.jobId,
            deliveries: d.deliveries,
          })),
        },
        'reclaimed idle entries',
      );
      for (const delivery of deliveries) this.dispatch(delivery);
    } finally {
      this.reclaiming = false;
    }
  }

  private async trim(): Promise<void> {
    const removed = await this.bus.trim(this.plane);
    if (removed > 0) this.log.debug({ removed }, 'trimmed acknowledged entries');
  }

  /**
   * The store lost its state (Redis came back empty). Every job in flight here that has not left this
   * executor is re-registered from the graph held here and carried on through requeue (orphaned), unless
   * its entry is one the new store delivered and this consumer still owns: that one carries on as it is, or
   * its pending entry would be reclaimed and run again. Jobs orphaned by an earlier reset are re-registered
   * again, as the new store lost their records too; a job already finishing is left to its finish.
   * Transitions wait for this decision.
   */
  private readonly onReset = (): void => {
    const jobs = [...this.inflight.values()].filter((j) => j.graph !== null && !j.ended);
    const entries = jobs.filter((j) => !j.orphaned);
    const decided = this.stillOwned(entries.map((j) => j.delivery.entryId)).then((owned) => {
      const orphans = jobs.filter((j) => j.orphaned || !owned.has(j.delivery.entryId));
      for (const job of orphans) job.orphaned = true;
      for (const job of jobs) job.resetCheck = null;
      // A job whose graph is terminal is finishing: its finish, retried through requeue, writes the record
      // and announces the end once; re-registering it here would announce it twice.
      this.reRegister(
        orphans.filter((job) => !isTerminal(this.graphOf(job))),
        jobs.length - orphans.length,
      );
    });
    for (const job of jobs) job.resetCheck = decided;
  };

  /** Entry ids among `entryIds` the store holds as this consumer's; none when it cannot tell. */
  private async stillOwned(entryIds: string[]): Promise<Set<string>> {
    if (entryIds.length === 0) return new Set();
    try {
      return new Set(await this.bus.heartbeat(this.plane, this.consumer, entryIds));
    } catch (error) {
      this.log.warn({ err: error }, 'could not tell which entries survived the reset; re-registering all');
      return new Set();
    }
  }

  private reRegister(orphans: InFlight[], kept: number): void {
    this.hooks.onReset?.({ plane: this.plane, orphaned: orphans.length });
    this.log.error(
      { orphaned: orphans.length, kept },
      'the bus lost its state (Redis restarted empty); re-registering jobs in flight',
    );
    for (const job of orphans) {
      const update = this.update(job, {
        message: 'the bus lost its state; job re-registered by its executor',
      });
      this.bus
        .requeue(update.graph, null, update)
        .catch((error: unknown) =>
          this.log.error({ err: error, jobId: job.jobId }, 'could not re-register a job after a reset'),
        );
    }
  }
}
