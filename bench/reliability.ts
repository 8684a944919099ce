/**
 * Suite 4, reliability (PRODUCT.md §7): each fault injected at random moments, >= 20 times in a full run,
 * on a private redis-server of the suite's own (free loopback port, no persistence), never the shared one:
 * 1. a data-plane worker SIGKILLed mid-job (bench/reliability/worker-kill.ts);
 * 2. poison entries that kill their worker on every delivery (bench/reliability/poison.ts);
 * 3. Redis SIGKILLed and restarted empty under running and queued jobs (bench/reliability/redis-reset.ts).
 * Every process it starts (redis-server, workers, the API) is killed by PID when it ends, even on failure.
 */
import { load } from './machine.js';
import { type PoisonPlan, poisonFault } from './reliability/poison.js';
import { killOwned, PrivateRedis } from './reliability/processes.js';
import { type ResetPlan, redisResetFault } from './reliability/redis-reset.js';
import { FAST_TIMINGS } from './reliability/rig.js';
import { type KillPlan, workerKillFault } from './reliability/worker-kill.js';
import type { Row, SuiteResult } from './report.js';
import { fmtMs, summarize } from './stats.js';

interface Plan {
  kill: KillPlan;
  poison: PoisonPlan;
  reset: ResetPlan;
}

const FULL: Plan = {
  kill: { kills: 20, inFlight: 3, workMs: 800, gapMs: [100, 900], settleMs: 30_000 },
  poison: { poison: 20, healthy: 20, workers: 4, gapMs: [0, 300], settleMs: 120_000 },
  reset: {
    restarts: 20,
    inFlight: 6,
    workMs: 1500,
    gapMs: [800, 2500],
    downMs: [0, 300],
    settleMs: 45_000,
  },
};

const QUICK: Plan = {
  kill: { ...FULL.kill, kills: 5 },
  poison: { ...FULL.poison, poison: 4, healthy: 4, workers: 3, settleMs: 60_000 },
  reset: { ...FULL.reset, restarts: 4, settleMs: 30_000 },
};

const count = (n: number, of: number): string => `${n} of ${of}`;

export async function reliabilitySuite(quick: boolean, log: (line: string) => void): Promise<SuiteResult> {
  const plan = quick ? QUICK : FULL;
  const startedAt = new Date();
  const loadStart = load();
  const t0 = performance.now();
  const redis = await PrivateRedis.start();
  log(`private redis-server on port ${redis.port} (pid ${redis.pid}), no persistence`);
  try {
    const kill = await workerKillFault(redis, plan.kill, log);
    const poison = await poisonFault(redis, plan.poison, log);
    const reset = await redisResetFault(redis, plan.reset, log);

    const reclaim = summarize(kill.reclaimMs);
    const detected = reset.detectionMs.filter((ms) => Number.isFinite(ms));
    const detection = summarize(detected);
    const resetBoundMs = 5000;
    const rows: Row[] = [
      {
        name: `worker kill: jobs lost (${kill.kills} kills)`,
        value: `${kill.jobs.lost} of ${kill.jobs.submitted} (${kill.jobs.completed} completed)`,
        baseline: '',
        ratio: null,
        target: '0',
        pass: kill.jobs.lost === 0 && kill.jobs.completed === kill.jobs.submitted,
      },
      {
        name: 'worker kill: jobs ended twice',
        value: String(kill.jobs.endedTwice),
        baseline: '',
        ratio: null,
        target: '0',
        pass: kill.jobs.endedTwice === 0,
      },
      {
        name: 'worker kill: reclaim delay p50 (kill -> node started again)',
        value: `${fmtMs(reclaim.p50)} (n ${reclaim.n} of ${kill.interrupted} interrupted nodes)`,
        baseline: '',
        ratio: null,
        target: `<= ${fmtMs(kill.boundMs)}`,
        pass: reclaim.n > 0 && reclaim.p50 <= kill.boundMs,
      },
      {
        name: 'worker kill: reclaim delay max',
        value: `${fmtMs(reclaim.max)}${kill.notReclaimed > 0 ? `; ${kill.notReclaimed} never restarted` : ''}`,
        baseline: '',
        ratio: null,
        target: `<= ${fmtMs(kill.boundMs)}`,
        pass: reclaim.n > 0 && reclaim.max <= kill.boundMs && kill.notReclaimed === 0,
      },
      {
        name: 'worker kill: data-node attempts = 1 + kills it went through',
        value: `${count(kill.jobs.completed - kill.attemptMismatches, kill.jobs.completed)} jobs (max attempts ${kill.maxAttempts})`,
        baseline: '',
        ratio: null,
        target: '',
        pass: null,
      },
      {
        name: `poison: dead-lettered MAX_DELIVERIES_EXCEEDED, job failed`,
        value: `${count(Math.min(poison.deadLettered, poison.failedAsPoison), poison.poison.submitted)} (lost ${poison.poison.lost}, ended twice ${poison.poison.endedTwice})`,
        baseline: '',
        ratio: null,
        target: `all ${poison.poison.submitted}`,
        pass:
          poison.deadLettered === poison.poison.submitted &&
          poison.failedAsPoison === poison.poison.submitted &&
          poison.poison.endedTwice === 0,
      },
      {
        name: 'poison: most deliveries that ran the poison node',
        value: `${poison.maxRuns} (dead letter records ${poison.maxDeliveriesRecorded}: the runs + the delivery that dead-lettered it)`,
        baseline: '',
        ratio: null,
        target: `<= ${poison.maxDeliveries}`,
        pass: poison.maxRuns > 0 && poison.maxRuns <= poison.maxDeliveries,
      },
      {
        name: 'poison: healthy jobs meanwhile completed',
        value: `${count(poison.healthy.completed, poison.healthy.submitted)} (ended twice ${poison.healthy.endedTwice}; ${poison.deaths} worker deaths)`,
        baseline: '',
        ratio: null,
        target: 'all',
        pass: poison.healthy.completed === poison.healthy.submitted && poison.healthy.endedTwice === 0,
      },
      {
        name: `redis restarted empty: detected by all 3 processes, p50 (${reset.restarts} restarts)`,
        value: `${fmtMs(detection.p50)} (n ${detection.n} of ${reset.restarts})`,
        baseline: '',
        ratio: null,
        target: `<= ${fmtMs(resetBoundMs)}`,
        pass: detection.n === reset.restarts && detection.p50 <= resetBoundMs,
      },
      {
        name: 'redis restarted empty: detection max',
        value: fmtMs(detection.max),
        baseline: '',
        ratio: null,
        target: `<= ${fmtMs(resetBoundMs)}`,
        pass: detection.n === reset.restarts && detection.max <= resetBoundMs,
      },
      {
        name: 'redis restarted empty: jobs in flight at a restart that ended visibly',
        value: `${count(reset.inFlight.completed + reset.inFlight.failedWithReason, reset.inFlightAtRestart)} (${reset.inFlight.completed} completed, ${reset.inFlight.failedWithReason} failed with a reason; ${reset.reRegistered} re-registered, ${reset.reQueued} re-queued)`,
        baseline: '',
        ratio: null,
        target: 'all',
        pass:
          reset.inFlightAtRestart > 0 &&
          reset.inFlight.completed + reset.inFlight.failedWithReason === reset.inFlightAtRestart,
      },
      {
        name: 'redis restarted empty: jobs lost (all jobs)',
        value: `${reset.jobs.lost} of ${reset.jobs.submitted}${reset.jobs.failedSilently > 0 ? `; ${reset.jobs.failedSilently} failed without a reason` : ''}`,
        baseline: '',
        ratio: null,
        target: '0',
        pass: reset.jobs.lost === 0 && reset.jobs.failedSilently === 0,
      },
      {
        name: 'redis restarted empty: jobs ended twice',
        value: String(reset.jobs.endedTwice),
        baseline: '',
        ratio: null,
        target: '0',
        pass: reset.jobs.endedTwice === 0,
      },
    ];
    if (reset.lostIds.length > 0) log(`redis reset: lost jobs ${reset.lostIds.join(', ')}`);
    const notes = [
      `All faults run on a private redis-server started by the suite (port ${redis.port}, \`--save '' --appendonly no\`), killed by PID at the end; jobs are prepare (control, diag.echo) -> work (data plane) -> finish (control, diag.echo), submitted with bus.submit; a job's end is its first terminal status event on P:events or a terminal record (records of open jobs are polled too, since a subscriber reconnecting after a Redis restart can miss an event); "ended twice" counts jobs with more than one terminal event.`,
      `Worker kill: 2 data-plane worker processes (PlaneExecutor on RedisBus, concurrency 4) and the control executor in the bench process; visibility timeout ${FAST_TIMINGS.visibilityTimeoutMs} ms, heartbeat ${FAST_TIMINGS.heartbeatIntervalMs} ms, reclaim every ${FAST_TIMINGS.reclaimIntervalMs} ms; ${plan.kill.inFlight} jobs kept in flight, data node bench.work ${plan.kill.workMs} ms in 10 progress steps. ${kill.kills} times, after a random ${plan.kill.gapMs[0]}-${plan.kill.gapMs[1]} ms, a random worker with a node running (and none already killed ${FAST_TIMINGS.maxDeliveries === undefined ? '' : FAST_TIMINGS.maxDeliveries - 2} times, so no job reaches the poison limit) was SIGKILLed by PID and started again in its slot (${kill.restarts} restarts). Reclaim delay: from the kill to the interrupted node's next service start (IPC message from the worker), bound = visibility timeout + reclaim interval + 1 s. Attempts row: the data node's attempts in the final record vs 1 + kills while it ran (informational: a node killed before its running checkpoint landed, or after it ended but before its handoff, is redone without that showing).`,
      `Poison: ${poison.poison.submitted} poison jobs (data node bench.crash: SIGKILLs its own worker on every delivery, after telling the bench) and ${poison.healthy.submitted} healthy ones (bench.work 100 ms) submitted in random order ${plan.poison.gapMs[0]}-${plan.poison.gapMs[1]} ms apart to ${plan.poison.workers} workers of concurrency 1, each dead worker restarted (${poison.restarts} restarts); maxDeliveries ${poison.maxDeliveries}. Dead letters read with bus.listDeadLetters; a poison job passes when its dead letter says MAX_DELIVERIES_EXCEEDED and its record is failed with that code. A poison node runs on deliveries 1..${poison.maxDeliveries}; delivery ${poison.maxDeliveries + 1} dead-letters it without running it, so the dead letter records ${poison.maxDeliveries + 1} deliveries.`,
      `Redis restarted empty: the API role as a child process (apps/api/src/main.ts: control executor + reset recovery) and 2 data-plane workers (concurrency 2), ${plan.reset.inFlight} jobs kept in flight (data node ${plan.reset.workMs} ms, so some run and some wait in the data stream); product reset timings (resetCheckIntervalMs ${reset.resetCheckIntervalMs} ms, reconnect backoff capped at 2 s). ${reset.restarts} times, after a random ${plan.reset.gapMs[0]}-${plan.reset.gapMs[1]} ms, redis-server was SIGKILLed and started again on the same port after a random ${plan.reset.downMs[0]}-${plan.reset.downMs[1]} ms, empty. Detection: from the new server's spawn to the last of the API (its 'Redis lost the bus state' log line) and both workers (executor hooks.onReset) noticing. Every job must then end visibly within ${plan.reset.settleMs / 1000} s after the last restart: completed (re-registered by its executor or re-queued by the API, with a status message saying so) or failed/cancelled with a reason.${reset.unrecoverable > 0 ? ` The API logged ${reset.unrecoverable} jobs it could not re-queue (graph unknown).` : ''}`,
    ];
    return {
      suite: 'reliability',
      title: 'Reliability: worker kills, poison entries, Redis restarted empty',
      rows,
      notes,
      startedAt,
      seconds: (performance.now() - t0) / 1000,
      loadStart,
      loadEnd: load(),
    };
  } finally {
    await killOwned();
    await redis.dispose();
  }
}
