/**
 * Fault 1: a data-plane worker SIGKILLed in the middle of a job. Two worker processes (concurrency 4, so
 * the survivor always has a free slot) and the in-process control executor run a steady stream of jobs
 * whose data node (bench.work) runs `workMs` with progress. At random moments a random worker that has a
 * node running is killed by PID and started again in its slot. For each node that was running in the
 * killed worker, the reclaim delay is the time from the kill to that node's next start (the entry
 * reclaimed by a worker after the visibility timeout, resumed, and its service entered again).
 */
import { sleep } from '../stats.js';
import { crossPlaneJob, randomBetween, workAttempts } from './graphs.js';
import type { LedgerSummary } from './ledger.js';
import { type PrivateRedis, WorkerPool } from './processes.js';
import { FAST_TIMINGS, startRig } from './rig.js';

export interface KillPlan {
  kills: number;
  /** Jobs kept in flight by the feeder. */
  inFlight: number;
  workMs: number;
  /** Random wait before each kill (ms). */
  gapMs: [number, number];
  settleMs: number;
}

export interface KillResult {
  kills: number;
  /** Nodes running in a killed worker (each one must start again elsewhere). */
  interrupted: number;
  /** Reclaim delays (ms) of the interrupted nodes that started again. */
  reclaimMs: number[];
  /** Interrupted nodes that did not start again within 3x the bound. */
  notReclaimed: number;
  boundMs: number;
  jobs: LedgerSummary;
  /** Jobs that completed with a data-node attempt count other than 1 + the kills they went through. */
  attemptMismatches: number;
  maxAttempts: number;
  restarts: number;
}

export async function workerKillFault(
  redis: PrivateRedis,
  plan: KillPlan,
  log: (line: string) => void,
): Promise<KillResult> {
  const rig = await startRig(redis.url, 'kill', FAST_TIMINGS);
  const { config, ledger } = rig;
  const boundMs = config.visibilityTimeoutMs + config.reclaimIntervalMs + 1000;
  const pool = new WorkerPool(2, redis.url, rig.prefix, 4, FAST_TIMINGS);
  /** jobId -> kill time, for interrupted nodes not yet started again. */
  const awaitingRestart = new Map<string, number>();
  const killsPerJob = new Map<string, number>();
  const reclaimMs: number[] = [];
  let interrupted = 0;
  let feeding = true;

  pool.onMessage((message) => {
    if (message.type !== 'started' || typeof message.jobId !== 'string') return;
    const killedAt = awaitingRestart.get(message.jobId);
    if (killedAt === undefined) return;
    awaitingRestart.delete(message.jobId);
    reclaimMs.push(Number(message.at) - killedAt);
  });
  const submit = async (): Promise<void> => {
    const graph = crossPlaneJob('kill', 'bench.work', { ms: plan.workMs, steps: 10 });
    ledger.track(graph, 'kill');
    await rig.bus.submit(graph, 'node');
  };
  ledger.onEnd = () => {
    if (feeding) void submit();
  };

  try {
    await pool.start();
    for (let i = 0; i < plan.inFlight; i++) await submit();
    let kills = 0;
    while (kills < plan.kills) {
      await pool.allReady(30_000);
      await sleep(randomBetween(plan.gapMs[0], plan.gapMs[1]));
      // A node killed maxDeliveries times is dead-lettered, rightly (the poison fault measures that): the
      // victims here are workers none of whose nodes has been through maxDeliveries - 2 kills yet.
      const busy = pool
        .busy()
        .filter((w) => [...w.running].every((id) => (killsPerJob.get(id) ?? 0) < config.maxDeliveries - 2));
      const victim = busy[randomBetween(0, busy.length - 1)];
      if (!victim) continue;
      const running = [...victim.running];
      await victim.kill();
      const killedAt = victim.killedAt ?? Date.now();
      kills += 1;
      interrupted += running.length;
      for (const jobId of running) {
        awaitingRestart.set(jobId, killedAt);
        killsPerJob.set(jobId, (killsPerJob.get(jobId) ?? 0) + 1);
      }
      // The next kill waits until these nodes run again, so one kill is measured at a time.
      const deadline = Date.now() + boundMs * 3;
      while (running.some((id) => awaitingRestart.has(id)) && Date.now() < deadline) await sleep(20);
      if (kills % 5 === 0)
        log(`worker kill: ${kills}/${plan.kills} kills, ${reclaimMs.length} reclaims timed`);
    }
    feeding = false;
    const notReclaimed = awaitingRestart.size;
    await ledger.settle(plan.settleMs, 'kill');
    for (const track of ledger.jobs.values()) {
      if (track.end && track.end.status !== 'completed') {
        log(`worker kill: job ${track.jobId} ${track.end.status}: ${track.end.reason}`);
      }
    }
    let attemptMismatches = 0;
    let maxAttempts = 0;
    for (const track of ledger.jobs.values()) {
      if (track.end?.status !== 'completed') continue;
      const record = await rig.bus.getJob(track.jobId);
      const attempts = workAttempts(record?.graph);
      maxAttempts = Math.max(maxAttempts, attempts);
      if (attempts !== 1 + (killsPerJob.get(track.jobId) ?? 0)) attemptMismatches += 1;
    }
    return {
      kills,
      interrupted,
      reclaimMs,
      notReclaimed,
      boundMs,
      jobs: ledger.summary('kill'),
      attemptMismatches,
      maxAttempts,
      restarts: pool.restarts,
    };
  } finally {
    feeding = false;
    await pool.stop();
    await rig.close();
  }
}
