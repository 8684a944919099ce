/**
 * Fault 2: poison entries. A poison job's data node (bench.crash) SIGKILLs the worker that runs it, on every
 * delivery. Poison and healthy jobs are submitted in random order at random moments to worker processes
 * of concurrency 1 (a poison node kills only itself), each dead worker started again in its slot. Every
 * poison entry must be dead-lettered with MAX_DELIVERIES_EXCEEDED after at most maxDeliveries runs and its
 * job failed; every healthy job must complete. The dead letters are read with bus.listDeadLetters.
 */
import { sleep } from '../stats.js';
import { crossPlaneJob, randomBetween } from './graphs.js';
import type { LedgerSummary } from './ledger.js';
import { type PrivateRedis, WorkerPool } from './processes.js';
import { FAST_TIMINGS, startRig } from './rig.js';

export interface PoisonPlan {
  poison: number;
  healthy: number;
  workers: number;
  /** Random wait between two submissions (ms). */
  gapMs: [number, number];
  settleMs: number;
}

export interface PoisonResult {
  poison: LedgerSummary;
  healthy: LedgerSummary;
  /** Poison jobs with a dead letter coded MAX_DELIVERIES_EXCEEDED. */
  deadLettered: number;
  /** Poison jobs failed with MAX_DELIVERIES_EXCEEDED in their record. */
  failedAsPoison: number;
  /** Most times one poison node ran (each run killed a worker). */
  maxRuns: number;
  /** Most deliveries a poison dead letter records (the runs plus the delivery that dead-lettered it). */
  maxDeliveriesRecorded: number;
  maxDeliveries: number;
  deaths: number;
  restarts: number;
}

export async function poisonFault(
  redis: PrivateRedis,
  plan: PoisonPlan,
  log: (line: string) => void,
): Promise<PoisonResult> {
  const rig = await startRig(redis.url, 'poison', FAST_TIMINGS);
  const { ledger } = rig;
  const pool = new WorkerPool(plan.workers, redis.url, rig.prefix, 1, FAST_TIMINGS);
  const runs = new Map<string, number>();
  pool.onMessage((message) => {
    if (message.type === 'crash' && typeof message.jobId === 'string') {
      runs.set(message.jobId, (runs.get(message.jobId) ?? 0) + 1);
    }
  });
  try {
    await pool.start();
    const kinds = [
      ...Array.from({ length: plan.poison }, () => 'poison'),
      ...Array.from({ length: plan.healthy }, () => 'healthy'),
    ].sort(() => Math.random() - 0.5);
    for (const kind of kinds) {
      const graph =
        kind === 'poison'
          ? crossPlaneJob('poison', 'bench.crash', {})
          : crossPlaneJob('healthy', 'bench.work', { ms: 100, steps: 2 });
      ledger.track(graph, kind);
      await rig.bus.submit(graph, 'node');
      await sleep(randomBetween(plan.gapMs[0], plan.gapMs[1]));
    }
    const deadline = Date.now() + plan.settleMs;
    let reported = 0;
    while (ledger.open().length > 0 && Date.now() < deadline) {
      await ledger.poll();
      await sleep(1000);
      const done = plan.poison - ledger.open('poison').length;
      if (done !== reported)
        log(`poison: ${done}/${plan.poison} poison jobs ended, ${pool.deaths} worker deaths`);
      reported = done;
    }
    await ledger.settle(1000);
    const poisonIds = new Set(
      [...ledger.jobs.values()].filter((t) => t.kind === 'poison').map((t) => t.jobId),
    );
    const letters = (await rig.bus.listDeadLetters(10_000)).filter(
      (d) => d.jobId !== null && poisonIds.has(d.jobId) && d.code === 'MAX_DELIVERIES_EXCEEDED',
    );
    let failedAsPoison = 0;
    for (const jobId of poisonIds) {
      const record = await rig.bus.getJob(jobId);
      if (record?.status === 'failed' && record.error?.code === 'MAX_DELIVERIES_EXCEEDED')
        failedAsPoison += 1;
    }
    return {
      poison: ledger.summary('poison'),
      healthy: ledger.summary('healthy'),
      deadLettered: new Set(letters.map((d) => d.jobId)).size,
      failedAsPoison,
      maxRuns: Math.max(0, ...runs.values()),
      maxDeliveriesRecorded: Math.max(0, ...letters.map((d) => d.deliveries)),
      maxDeliveries: rig.config.maxDeliveries,
      deaths: pool.deaths,
      restarts: pool.restarts,
    };
  } finally {
    await pool.stop();
    await rig.close();
  }
}
