/**
 * Metrics on an injected prom-client registry, every name prefixed `myspinbot_`. The executor reports
 * through ExecutorHooks (it never imports prom-client); bus stream gauges are read at scrape time.
 */
import type { Bus } from '@myspinbot/bus';
import type { Plane } from '@myspinbot/contracts';
import type { ExecutorHooks } from '@myspinbot/runtime';
import { Counter, collectDefaultMetrics, Gauge, Histogram, type Registry } from 'prom-client';

export const METRIC_PREFIX = 'myspinbot_';

const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800];
const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

export interface Metrics {
  readonly registry: Registry;
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>;
  readonly jobsFinished: Counter<'status' | 'pipeline'>;
  readonly jobDuration: Histogram<'status' | 'pipeline'>;
  readonly nodeDuration: Histogram<'plane' | 'service' | 'status'>;
  readonly nodeFailures: Counter<'plane' | 'service' | 'code'>;
  readonly transitions: Counter<'plane' | 'kind' | 'outcome'>;
  readonly transitionDuration: Histogram<'plane' | 'kind'>;
  readonly reclaims: Counter<'plane'>;
  readonly deadLetters: Counter<'plane' | 'code'>;
  readonly busResets: Counter<'plane'>;
  readonly wsConnections: Gauge;
  readonly wsMessages: Counter<'direction' | 'kind'>;
  readonly jobsCreated: Counter<'pipeline'>;
  readonly jobsCancelled: Counter<'pipeline'>;
  /** Hooks for the executor of `plane`. */
  executorHooks(plane: Plane): ExecutorHooks;
  /** Streams whose length, pending entries and lag are read from `bus` at each scrape. */
  watchStreams(bus: Bus, planes: readonly Plane[]): void;
  /** A gauge of entries being worked on, read at scrape time. */
  watchExecutor(plane: Plane, busy: () => number): void;
}

export function createMetrics(registry: Registry, options: { defaultMetrics?: boolean } = {}): Metrics {
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  const registers = [registry];
  const p = METRIC_PREFIX;

  const httpRequestDuration = new Histogram({
    name: `${p}http_request_duration_seconds`,
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: HTTP_BUCKETS,
    registers,
  });
  const jobsFinished = new Counter({
    name: `${p}jobs_finished_total`,
    help: 'Jobs that reached a terminal status, by status and pipeline',
    labelNames: ['status', 'pipeline'] as const,
    registers,
  });
  const jobDuration = new Histogram({
    name: `${p}job_duration_seconds`,
    help: 'Time from job creation to its terminal status',
    labelNames: ['status', 'pipeline'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const nodeDuration = new Histogram({
    name: `${p}node_duration_seconds`,
    help: 'Node run time by service and plane',
    labelNames: ['plane', 'service', 'status'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const nodeFailures = new Counter({
    name: `${p}node_failures_total`,
    help: 'Failed nodes by service, plane and error code',
    labelNames: ['plane', 'service', 'code'] as const,
    registers,
  });
  const transitions = new Counter({
    name: `${p}bus_transitions_total`,
    help: 'Handoffs, finishes, releases and requeues by plane and outcome',
    labelNames: ['plane', 'kind', 'outcome'] as const,
    registers,
  });
  const transitionDuration = new Histogram({
    name: `${p}bus_transition_duration_seconds`,
    help: 'Time one atomic bus transition took',
    labelNames: ['plane', 'kind'] as const,
    buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1],
    registers,
  });
  const reclaims = new Counter({
    name: `${p}bus_reclaims_total`,
    help: 'Entries reclaimed from consumers idle past the visibility timeout',
    labelNames: ['plane'] as const,
    registers,
  });
  const deadLetters = new Counter({
    name: `${p}bus_dead_letters_total`,
    help: 'Entries moved to the dead-letter stream, by code',
    labelNames: ['plane', 'code'] as const,
    registers,
  });
  const busResets = new Counter({
    name: `${p}bus_resets_total`,
    help: 'Times the bus found Redis without its state (restarted empty)',
    labelNames: ['plane'] as const,
    registers,
  });

  const wsConnections = new Gauge({
    name: `${p}ws_connections`,
    help: 'Open WebSocket connections',
    registers,
  });
  const wsMessages = new Counter({
    name: `${p}ws_messages_total`,
    help: 'WebSocket messages by direction and kind',
    labelNames: ['direction', 'kind'] as const,
    registers,
  });
  const jobsCreated = new Counter({
    name: `${p}jobs_created_total`,
    help: 'Jobs accepted by the API, by pipeline',
    labelNames: ['pipeline'] as const,
    registers,
  });
  const jobsCancelled = new Counter({
    name: `${p}jobs_cancel_requests_total`,
    help: 'Cancellation requests accepted by the API, by pipeline',
    labelNames: ['pipeline'] as const,
    registers,
  });

  const streamWatches: { bus: Bus; planes: readonly Plane[] }[] = [];
  const statsOf = async () =>
    Promise.all(
      streamWatches.flatMap(({ bus, planes }) =>
        planes.map(async (plane) => bus.stats(plane).catch(() => null)),
      ),
    );
  new Gauge({
    name: `${p}stream_length`,
    help: 'Entries in a plane stream (acknowledged ones count until trimmed)',
    labelNames: ['plane'] as const,
    registers,
    async collect() {
      for (const stats of await statsOf()) if (stats) this.set({ plane: stats.plane }, stats.length);
    },
  });
  new Gauge({
    name: `${p}stream_pending`,
    help: 'Entries delivered to a consumer and not yet acknowledged',
    labelNames: ['plane'] as const,
    registers,
    async collect() {
      for (const stats of await statsOf()) if (stats) this.set({ plane: stats.plane }, stats.pending);
    },
  });
  new Gauge({
    name: `${p}stream_lag`,
    help: 'Entries not yet delivered to any consumer (consumer lag)',
    labelNames: ['plane'] as const,
    registers,
    async collect() {
      for (const stats of await statsOf()) if (stats) this.set({ plane: stats.plane }, stats.lag);
    },
  });
  const busyProbes: { plane: Plane; busy: () => number }[] = [];
  new Gauge({
    name: `${p}executor_busy_entries`,
    help: 'Entries an executor is working on',
    labelNames: ['plane'] as const,
    registers,
    collect() {
      for (const probe of busyProbes) this.set({ plane: probe.plane }, probe.busy());
    },
  });

  return {
    registry,
    httpRequestDuration,
    jobsFinished,
    jobDuration,
    nodeDuration,
    nodeFailures,
    transitions,
    transitionDuration,
    reclaims,
    deadLetters,
    busResets,
    wsConnections,
    wsMessages,
    jobsCreated,
    jobsCancelled,
    executorHooks(plane) {
      return {
        onNodeFinished(e) {
          nodeDuration.observe({ plane: e.plane, service: e.service, status: e.status }, e.durationMs / 1000);
          if (e.status === 'failed')
            nodeFailures.inc({ plane: e.plane, service: e.service, code: e.code ?? 'UNKNOWN' });
        },
        onTransition(e) {
          transitions.inc({ plane: e.plane, kind: e.kind, outcome: e.outcome });
          transitionDuration.observe({ plane: e.plane, kind: e.kind }, e.durationMs / 1000);
        },
        onJobFinished(e) {
          jobsFinished.inc({ status: e.status, pipeline: e.pipeline });
          jobDuration.observe({ status: e.status, pipeline: e.pipeline }, e.durationMs / 1000);
        },
        onReclaim(e) {
          reclaims.inc({ plane: e.plane }, e.count);
        },
        onDeadLetter(e) {
          deadLetters.inc({ plane: e.plane, code: e.code });
        },
        onReset() {
          busResets.inc({ plane });
        },
      };
    },
    watchStreams(bus, planes) {
      streamWatches.push({ bus, planes });
    },
    watchExecutor(plane, busy) {
      busyProbes.push({ plane, busy });
    },
  };
}
