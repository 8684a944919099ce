/**
 * Fault 3: Redis restarted empty. The private redis-server has no persistence; the API role (control
 * executor + reset recovery, a child process) and two data-plane workers run a steady stream of jobs,
 * some running and some queued. At random moments the redis-server is SIGKILLed and started again on the
 * same port after a random pause, so it comes back with nothing: no streams, groups, records or epoch.
 * Detection delay per restart: from the new redis-server's spawn to the last of the three processes
 * noticing (the API logs 'Redis lost the bus state', a worker's executor calls hooks.onReset), product
 * timings (resetCheckIntervalMs 2 s, reconnect backoff capped at 2 s). Then every job must end visibly:
 * completed (after re-registration or re-queue) or failed/cancelled with a reason.
 */
import { busConfig, RedisBus } from '@myspinbot/bus';
import type { BusConfig } from '@myspinbot/contracts';
import { sleep } from '../stats.js';
import { ApiProcess, logTime } from './api.js';
import { crossPlaneJob, randomBetween } from './graphs.js';
import { JobLedger, type LedgerSummary } from './ledger.js';
import { own, type PrivateRedis, WorkerPool } from './processes.js';
import { reliabilityPrefix } from './rig.js';

export interface ResetPlan {
  restarts: number;
  inFlight: number;
  workMs: number;
  /** Random wait between restarts (ms), jobs running meanwhile. */
  gapMs: [number, number];
  /** Random time Redis stays down (ms). */
  downMs: [number, number];
  settleMs: number;
}

export interface ResetResult {
  restarts: number;
  /** Per restart: ms from the new server's spawn until every process had noticed (NaN: not within 10 s). */
  detectionMs: number[];
  resetCheckIntervalMs: number;
  jobs: LedgerSummary;
  /** Jobs not ended when Redis was killed (counted once however many restarts they lived through). */
  inFlightAtRestart: number;
  /** Of those: how each ended. */
  inFlight: LedgerSummary;
  /** Jobs that say they were re-registered by their executor / re-queued by the API. */
  reRegistered: number;
  reQueued: number;
  /** Jobs the API logged it could not re-queue (graph unknown). */
  unrecoverable: number;
  lostIds: string[];
}

const TIMINGS: Partial<BusConfig> = {
  visibilityTimeoutMs: 1000,
  heartbeatIntervalMs: 200,
  reclaimIntervalMs: 250,
  blockMs: 200,
};

const DETECTION_TIMEOUT_MS = 10_000;

export async function redisResetFault(
  redis: PrivateRedis,
  plan: ResetPlan,
  log: (line: string) => void,
): Promise<ResetResult> {
  const prefix = reliabilityPrefix('reset');
  const config = busConfig({ prefix, ...TIMINGS });
  const api = await ApiProcess.start(
    {
      REDIS_URL: redis.url,
      BUS_PREFIX: prefix,
      VISIBILITY_TIMEOUT_MS: String(config.visibilityTimeoutMs),
      HEARTBEAT_INTERVAL_MS: String(config.heartbeatIntervalMs),
      RECLAIM_INTERVAL_MS: String(config.reclaimIntervalMs),
      BLOCK_MS: String(config.blockMs),
      RESET_CHECK_INTERVAL_MS: String(config.resetCheckIntervalMs),
      DIAGNOSTICS: '1',
    },
    own,
  );
  const pool = new WorkerPool(2, redis.url, prefix, 2, TIMINGS);
  // The bench's own client: submits, hears events, reads records; never init(), so it takes no part in
  // detecting resets or re-creating groups.
  const bus = new RedisBus({ url: redis.url, config, maxReconnectDelayMs: 200 });
  const ledger = new JobLedger(bus);
  const apiResets: number[] = [];
  const workerResets: { slot: number; at: number }[] = [];
  const reQueued = new Set<string>();
  let unrecoverable = 0;
  const verbose = process.env.BENCH_RELIABILITY_VERBOSE === '1';
  api.onLog((line) => {
    if (verbose && typeof line.level === 'number' && line.level >= 40) {
      log(`  api ${line.level}: ${String(line.msg)} ${String(line.jobId ?? '')} @${logTime(line)}`);
    }
    if (line.msg === 'Redis lost the bus state; checking active jobs') apiResets.push(logTime(line));
    if (line.msg === 'job re-queued after Redis lost its state' && typeof line.jobId === 'string') {
      reQueued.add(line.jobId);
    }
    if (typeof line.msg === 'string' && line.msg.startsWith('job lost with the Redis state'))
      unrecoverable += 1;
  });
  pool.onMessage((message, worker) => {
    if (verbose && (message.type === 'started' || message.type === 'ended')) {
      log(
        `  worker ${worker.slot} ${message.type} ${String(message.jobId)} attempts ${String(message.attempts ?? '')} ok ${String(message.ok ?? '')} @${String(message.at)}`,
      );
    }
    if (message.type === 'reset') workerResets.push({ slot: worker.slot, at: Number(message.at) });
  });
  let feeding = true;
  const submit = async (): Promise<void> => {
    const graph = crossPlaneJob('reset', 'bench.work', { ms: plan.workMs, steps: 10 });
    ledger.track(graph, 'reset');
    await bus.submit(graph, 'node');
  };
  ledger.onEnd = () => {
    if (feeding) void submit().catch(() => {});
  };
  const inFlightIds = new Set<string>();
  const detectionMs: number[] = [];

  try {
    await pool.start();
    await ledger.start(250);
    for (let i = 0; i < plan.inFlight; i++) await submit();
    for (let r = 0; r < plan.restarts; r++) {
      await sleep(randomBetween(plan.gapMs[0], plan.gapMs[1]));
      await ledger.poll();
      for (const track of ledger.open('reset')) {
        inFlightIds.add(track.jobId);
        if (verbose) {
          const rec = track.record;
          const nodes = rec?.graph?.nodes.map((n) => `${n.id}:${n.status}`).join(',') ?? '';
          log(`  open ${track.jobId}: ${rec?.status ?? 'no record'} on ${rec?.plane ?? '-'} [${nodes}]`);
        }
      }
      await redis.kill();
      await sleep(randomBetween(plan.downMs[0], plan.downMs[1]));
      const restartedAt = await redis.start();
      if (verbose) log(`restart ${r + 1} at ${restartedAt}`);
      const deadline = restartedAt + DETECTION_TIMEOUT_MS;
      const noticed = (): number[] | null => {
        const apiAt = apiResets.find((at) => at >= restartedAt);
        const perSlot = [0, 1].map((slot) =>
          workerResets.find((w) => w.slot === slot && w.at >= restartedAt),
        );
        if (apiAt === undefined || perSlot.some((w) => w === undefined)) return null;
        return [apiAt, ...perSlot.map((w) => w?.at ?? Number.NaN)];
      };
      let seen = noticed();
      while (seen === null && Date.now() < deadline) {
        await sleep(20);
        seen = noticed();
      }
      detectionMs.push(seen === null ? Number.NaN : Math.max(...seen) - restartedAt);
      if ((r + 1) % 5 === 0) log(`redis reset: ${r + 1}/${plan.restarts} restarts`);
    }
    feeding = false;
    await ledger.settle(plan.settleMs, 'reset');
    const tracks = [...ledger.jobs.values()];
    if (verbose) {
      for (const t of tracks) {
        log(
          `  job ${t.jobId}: +${t.submittedAt} ${t.end?.status ?? 'open'} @${t.end?.at ?? ''} ${t.end?.reason ?? ''} [${t.messages.join(' | ')}] terminal events: ${t.terminalEvents.map((e, i) => `${e} '${t.terminalMessages[i] ?? ''}'`).join(', ')}`,
        );
      }
    }
    const inFlight = new JobLedger(bus);
    for (const track of tracks) if (inFlightIds.has(track.jobId)) inFlight.jobs.set(track.jobId, track);
    const jobs = ledger.summary('reset');
    return {
      restarts: detectionMs.length,
      detectionMs,
      resetCheckIntervalMs: config.resetCheckIntervalMs,
      jobs,
      inFlightAtRestart: inFlightIds.size,
      inFlight: inFlight.summary(),
      reRegistered: tracks.filter((t) => t.messages.some((m) => m.includes('re-registered'))).length,
      reQueued: new Set([
        ...reQueued,
        ...tracks.filter((t) => t.messages.some((m) => m.includes('re-queued'))).map((t) => t.jobId),
      ]).size,
      unrecoverable,
      lostIds: jobs.lostIds,
    };
  } finally {
    feeding = false;
    await ledger.stop();
    await pool.stop();
    await api.dispose();
    await bus.close();
  }
}
