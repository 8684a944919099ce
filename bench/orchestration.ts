/**
 * Suite 1, orchestration (PRODUCT.md §7): cross-plane handoff vs a raw stream round trip, one-node no-op
 * job round trip vs BullMQ, handoffs per second per executor, and orchestration's share of the default
 * pipeline. Every Redis key lives under a random prefix deleted afterwards; every loop is bounded.
 */
import { busConfig, MemoryBus, RedisBus } from '@myspinbot/bus';
import { load } from './machine.js';
import { busHandoffs } from './orchestration/bus-handoff.js';
import { crossProcessHandoffs, executorHandoffs } from './orchestration/executor-handoff.js';
import { benchJobId, noopChain } from './orchestration/graphs.js';
import { bullmqRoundTrips, busJobRoundTrips } from './orchestration/job-roundtrip.js';
import { type PipelineRun, pipelineOverhead } from './orchestration/pipeline.js';
import { rawRoundTrips } from './orchestration/raw-stream.js';
import { REDIS_URL, withPrefix } from './orchestration/redis.js';
import { memoryThroughput, redisThroughput, type ThroughputResult } from './orchestration/throughput.js';
import type { Row, SuiteResult } from './report.js';
import {
  fmtBytes,
  fmtLatency,
  fmtMs,
  fmtNum,
  type LoopBounds,
  ratio,
  type Summary,
  summarize,
} from './stats.js';

interface Plan {
  latency: LoopBounds;
  warmup: number;
  chainNodes: number;
  chainJobs: LoopBounds;
  throughput: { inFlight: number; chain: number; warmupMs: number; ms: number };
  pipelineWarmup: Record<string, number>;
  pipelineOptions: Record<string, number>;
  /** Measured pipeline jobs; the row shows the one with the median share. */
  pipelineRuns: number;
  pipelineTimeoutMs: number;
}

/** The warm-up job of the pipeline measurement (and the measured one with --quick): a small, short render. */
const SMALL_RENDER = { width: 256, height: 320, fps: 10 };

const FULL: Plan = {
  latency: { count: 2000, ms: 8000 },
  warmup: 100,
  chainNodes: 20,
  chainJobs: { count: 200, ms: 8000 },
  throughput: { inFlight: 32, chain: 10, warmupMs: 1500, ms: 10_000 },
  pipelineWarmup: SMALL_RENDER,
  pipelineOptions: {},
  pipelineRuns: 3,
  pipelineTimeoutMs: 180_000,
};

const QUICK: Plan = {
  latency: { count: 300, ms: 2000 },
  warmup: 20,
  chainNodes: 10,
  chainJobs: { count: 20, ms: 2000 },
  throughput: { inFlight: 16, chain: 10, warmupMs: 500, ms: 2500 },
  pipelineWarmup: SMALL_RENDER,
  pipelineOptions: SMALL_RENDER,
  pipelineRuns: 1,
  pipelineTimeoutMs: 90_000,
};

/** A latency row: p50 against the baseline's p50; the target is a bound on that ratio. */
function latencyRow(
  name: string,
  value: Summary,
  baseline: Summary | null,
  target: string,
  most: number,
): Row {
  const r = baseline ? ratio(value.p50, baseline.p50) : null;
  return {
    name,
    value: fmtLatency(value),
    baseline: baseline ? fmtLatency(baseline) : '',
    ratio: r,
    target,
    pass: r === null ? null : r <= most,
  };
}

/** A row shown for context: no target, no verdict. */
function info(row: Row): Row {
  return { ...row, target: '', pass: null };
}

/** "Beats" is strict: the ratio must be below 1. */
function beats(row: Row): Row {
  return { ...row, pass: row.ratio === null ? null : row.ratio < 1 };
}

function cpuText(t: ThroughputResult): string {
  const parts = [`this process ${Math.round(t.cpu.self * 100)}%`];
  if (t.cpu.worker !== null) parts.push(`worker ${Math.round(t.cpu.worker * 100)}%`);
  if (t.cpu.redis !== null) parts.push(`redis ${Math.round(t.cpu.redis * 100)}%`);
  return `CPU of one core: ${parts.join(', ')}`;
}

/** CPU ms per handoff of an executor's process, when that process runs that executor alone. */
function cpuPerHandoff(cpuShare: number | null, perSecond: number): string {
  return cpuShare === null ? '' : `, ${fmtNum((cpuShare * 1000) / perSecond)} ms CPU each`;
}

function throughputRow(name: string, t: ThroughputResult): Row {
  const perExecutor = Math.min(t.control, t.data);
  const alone = t.cpu.worker !== null;
  return {
    name,
    value:
      `${fmtNum(perExecutor)}/s (control ${fmtNum(t.control)}${alone ? cpuPerHandoff(t.cpu.self, t.control) : ''}, ` +
      `data ${fmtNum(t.data)}${cpuPerHandoff(t.cpu.worker, t.data)}; ${fmtNum(t.jobsPerSecond)} jobs/s)`,
    baseline: '',
    ratio: null,
    target: '>= 1,000/s',
    pass: perExecutor >= 1000,
  };
}

function pipelineNote(label: string, run: PipelineRun): string {
  return (
    `${label}: talking-portrait, options ${JSON.stringify(run.options)} (empty: defaults, 720p short side, 25 fps); ` +
    `POST /api/train until the submit ${fmtMs(run.postMs)}; wall ${fmtMs(run.wallMs)} from the submit to the completed event; ` +
    `node time ${fmtMs(run.serviceMs)} (${run.nodes.map((n) => `${n.id} ${n.ms}`).join(', ')} ms); outside the nodes: ` +
    `submit -> first node ${fmtMs(run.admissionMs)}, between nodes ${fmtMs(run.gapsMs)} ` +
    `(${run.gaps.map((g) => `-> ${g.to} ${g.ms}`).join(', ')} ms), last node -> completed event ${fmtMs(run.completionMs)}; ` +
    `final graph ${fmtBytes(run.graphBytes)} of JSON.`
  );
}

interface Stage {
  rows: Row[];
  notes: string[];
}

/** Raw stream round trip, the bus's handoff step and a handoff as it happens through the executors. */
async function handoffStage(plan: Plan, log: (line: string) => void): Promise<Stage> {
  const sample = noopChain(benchJobId('size'), 9);
  const fields = { jobId: sample.workflowId, graph: JSON.stringify(sample), from: 'node' };
  log('raw XADD -> XREADGROUP -> XACK round trips');
  const raw = summarize(
    await withPrefix('raw', (prefix) => rawRoundTrips(prefix, fields, plan.latency, plan.warmup)),
  );
  log('bus handoffs (RedisBus, MemoryBus)');
  const redisHandoff = await withPrefix('handoff', async (prefix) => {
    const bus = new RedisBus({ url: REDIS_URL, config: busConfig({ prefix }) });
    try {
      await bus.init();
      return await busHandoffs(bus, noopChain(benchJobId('ho'), 9), plan.latency, plan.warmup);
    } finally {
      await bus.close();
    }
  });
  const memoryBus = new MemoryBus(busConfig());
  const memoryHandoff = await busHandoffs(
    memoryBus,
    noopChain(benchJobId('ho'), 9),
    plan.latency,
    plan.warmup,
  );
  await memoryBus.close();
  log(`handoffs through both executors, ${plan.chainNodes}-node chains (RedisBus, MemoryBus)`);
  const hopRedis = await withPrefix('hop', async (prefix) => {
    const bus = new RedisBus({ url: REDIS_URL, config: busConfig({ prefix, blockMs: 1000 }) });
    try {
      return await executorHandoffs(bus, prefix, plan.chainNodes, plan.chainJobs, 5);
    } finally {
      await bus.close();
    }
  });
  const hopApart = await withPrefix('xhop', async (prefix) => {
    const bus = new RedisBus({ url: REDIS_URL, config: busConfig({ prefix, blockMs: 1000 }) });
    try {
      return await crossProcessHandoffs(bus, prefix, plan.chainNodes, plan.chainJobs, 5);
    } finally {
      await bus.close();
    }
  });
  const hopMemoryBus = new MemoryBus(busConfig({ blockMs: 1000 }));
  const hopMemory = await executorHandoffs(hopMemoryBus, 'mem', plan.chainNodes, plan.chainJobs, 5);
  await hopMemoryBus.close();
  const through = 'cross-plane handoff through both executors, node end -> next node start';
  return {
    rows: [
      latencyRow(
        'cross-plane handoff, bus step (RedisBus)',
        summarize(redisHandoff.handoff),
        raw,
        '<= 2x raw',
        2,
      ),
      latencyRow(
        `${through} (RedisBus; data executor in its own process)`,
        summarize(hopApart),
        raw,
        '<= 2x raw',
        2,
      ),
      info(
        latencyRow(`${through} (RedisBus; both executors on one thread)`, summarize(hopRedis), raw, '', 0),
      ),
      info(latencyRow('checkpoint, bus step (RedisBus)', summarize(redisHandoff.checkpoint), raw, '', 0)),
      info(
        latencyRow('cross-plane handoff, bus step (MemoryBus)', summarize(memoryHandoff.handoff), raw, '', 0),
      ),
      info(latencyRow(`${through} (MemoryBus)`, summarize(hopMemory), raw, '', 0)),
    ],
    notes: [
      `Raw round trip and bus handoff carry the same entry: a ${sample.nodes.length}-node graph (${fields.graph.length} bytes of JSON). ` +
        'The raw consumer is blocked in XREADGROUP before XADD; the clock stops at its XACK reply. The bus step runs handoff.lua ' +
        "(ownership check, record write, XADD, XACK, PUBLISH) and stops when the other plane's blocked bus.read returns.",
      `Handoff through the executors: ${plan.chainNodes}-node chains alternating planes, one job at a time; from one node's service returning to the next ` +
        "node's service being entered on the other plane: result applied, handoff script, the other executor's read waking up, entry validation " +
        "(schema + DAG), the next node's 'running' checkpoint sent (the node starts while it travels; see docs/plane-protocol.md), plus the executors' own work. " +
        'With the data executor in its own process (as deployed) the clocks of the two processes differ, so a control node -> data node -> control node ' +
        'round trip is timed in this process and halved (the no-op data node counts in it); on one thread, each handoff also waits for the sending ' +
        "executor's follow-up work (its next read), which a deployment does in another process.",
    ],
  };
}

/** One-node no-op job, submit -> completed event: ours (RedisBus, MemoryBus) against BullMQ. */
async function roundTripStage(plan: Plan, log: (line: string) => void): Promise<Stage> {
  log('one-node no-op job round trips (BullMQ, ours on RedisBus and MemoryBus)');
  const bull = summarize(
    await withPrefix('bullmq', (prefix) => bullmqRoundTrips(prefix, plan.latency, plan.warmup)),
  );
  const oursRedis = summarize(
    await withPrefix('job', async (prefix) => {
      const bus = new RedisBus({ url: REDIS_URL, config: busConfig({ prefix, blockMs: 1000 }) });
      try {
        return await busJobRoundTrips(bus, prefix, 1, plan.latency, plan.warmup);
      } finally {
        await bus.close();
      }
    }),
  );
  const jobMemoryBus = new MemoryBus(busConfig({ blockMs: 1000 }));
  const oursMemory = summarize(await busJobRoundTrips(jobMemoryBus, 'mem', 1, plan.latency, plan.warmup));
  await jobMemoryBus.close();
  const name = 'one-node no-op job, submit -> completed event';
  return {
    rows: [
      beats(latencyRow(`${name} (RedisBus)`, oursRedis, bull, '< 1x BullMQ', 1)),
      info(latencyRow(`${name} (MemoryBus)`, oursMemory, bull, '', 0)),
    ],
    notes: [
      'Job round trip: ours and BullMQ both run their executor/worker and their completion listener in this process; ' +
        'BullMQ listens through QueueEvents, ours through the bus pub/sub channel.',
    ],
  };
}

async function throughputStage(plan: Plan, log: (line: string) => void): Promise<Stage> {
  log('handoffs per second per executor (RedisBus with a worker process, MemoryBus)');
  const tpRedis = await withPrefix('tp', (prefix) => redisThroughput(prefix, plan.throughput));
  const tpMemory = await memoryThroughput(plan.throughput);
  return {
    rows: [
      throughputRow('handoffs/s per executor (RedisBus; data executor in its own process)', tpRedis),
      throughputRow('handoffs/s per executor (MemoryBus; both executors on one thread)', tpMemory),
    ],
    notes: [
      `Throughput: ${plan.throughput.inFlight} jobs in flight, chains of ${plan.throughput.chain} diag.noop nodes, ` +
        `${plan.throughput.ms / 1000} s window after ${plan.throughput.warmupMs / 1000} s warm-up. ` +
        `RedisBus: ${cpuText(tpRedis)}. MemoryBus: ${cpuText(tpMemory)}. The control process also submits the jobs and ` +
        "follows their events; CPU per handoff counts that too. A job's finish (one script, like a handoff) counts as a handoff.",
    ],
  };
}

/** Share of a run's wall time (submit -> completed) spent outside its nodes. */
const shareOf = (run: PipelineRun): number => (run.wallMs - run.serviceMs) / run.wallMs;

async function pipelineStage(plan: Plan, log: (line: string) => void): Promise<Stage> {
  log(
    `default pipeline (talking-portrait): a warm-up job, then ${plan.pipelineRuns} measured (embedded, RedisBus)`,
  );
  const { warmup, measured } = await withPrefix('pipeline', (prefix) =>
    pipelineOverhead(
      prefix,
      plan.pipelineWarmup,
      plan.pipelineOptions,
      plan.pipelineRuns,
      plan.pipelineTimeoutMs,
    ),
  );
  const sorted = [...measured].sort((a, b) => shareOf(a) - shareOf(b));
  const run = sorted[Math.floor(sorted.length / 2)];
  if (!run) throw new Error('pipeline: no measured run');
  const share = shareOf(run);
  const orchestrationMs = run.wallMs - run.serviceMs;
  const withPost = (orchestrationMs + run.postMs) / (run.wallMs + run.postMs);
  const range = sorted.map((r) => `${(shareOf(r) * 100).toFixed(2)}%`).join(', ');
  return {
    rows: [
      {
        name: 'orchestration share of the default pipeline, submit -> completed (wall - node time)',
        value: `${(share * 100).toFixed(2)}% (${fmtMs(orchestrationMs)} of ${fmtNum(run.wallMs / 1000)} s; median of ${range})`,
        baseline: '',
        ratio: null,
        target: '< 1%',
        pass: share < 0.01,
      },
      {
        name: 'same, counting POST /api/train before the submit (upload checks, storing, planning)',
        value: `${(withPost * 100).toFixed(2)}% (POST ${fmtMs(run.postMs)})`,
        baseline: '',
        ratio: null,
        target: '',
        pass: null,
      },
    ],
    notes: [
      pipelineNote('Pipeline, the median measured job', run),
      pipelineNote('Warm-up job (first after start)', warmup),
    ],
  };
}

export async function orchestrationSuite(quick: boolean, log: (line: string) => void): Promise<SuiteResult> {
  const plan = quick ? QUICK : FULL;
  const startedAt = new Date();
  const loadStart = load();
  const began = performance.now();
  const stages: Stage[] = [];
  for (const stage of [handoffStage, roundTripStage, throughputStage, pipelineStage]) {
    stages.push(await stage(plan, log));
  }
  return {
    suite: 'orchestration',
    title: 'Orchestration',
    rows: stages.flatMap((s) => s.rows),
    notes: stages.flatMap((s) => s.notes),
    startedAt,
    seconds: (performance.now() - began) / 1000,
    loadStart,
    loadEnd: load(),
  };
}
