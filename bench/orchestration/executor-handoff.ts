/**
 * A cross-plane handoff as a job lives it, through both executors: a chain of `bench.stamp` nodes with
 * alternating planes, one job at a time; each node notes when its service is entered and left. A handoff
 * is the time from one node's service returning on one plane to the next node's service being entered on
 * the other: result applied, handoff script (persist, XADD, XACK, PUBLISH), the other executor's read
 * waking up, entry validation (schema + DAG), the next node's 'running' checkpoint sent.
 *
 * Two shapes: both executors in this process (one thread does the work of both planes, so each handoff
 * also waits for the sending executor's own follow-up work), and the data executor in its own process, as
 * deployed. Across processes the clocks differ, so there a round trip is timed on this side, from a
 * control node's service returning to the next control node's service being entered (two handoffs and
 * the data plane's no-op node between them), and halved.
 */
import type { Bus } from '@myspinbot/bus';
import { busConfig } from '@myspinbot/bus';
import type { Plane } from '@myspinbot/contracts';
import { PlaneExecutor, type ServiceDefinition, ServiceRegistry } from '@myspinbot/runtime';
import { BenchChild } from '../child.js';
import { boundedLoop, type LoopBounds } from '../stats.js';
import { JobWaiter } from './executors.js';
import { benchJobId, noopChain } from './graphs.js';

type Stamps = Map<string, { enter: number; exit: number }>;

function stampService(plane: Plane, stamps: Stamps): ServiceDefinition {
  return {
    name: 'bench.stamp',
    plane,
    async run(_input, ctx) {
      const enter = performance.now();
      stamps.set(`${ctx.jobId}/${ctx.nodeId}`, { enter, exit: performance.now() });
      return { ok: true };
    },
  };
}

function stampExecutor(bus: Bus, plane: Plane, prefix: string, stamps: Stamps): PlaneExecutor {
  return new PlaneExecutor({
    bus,
    registry: new ServiceRegistry(plane).register(stampService(plane, stamps)),
    deps: {},
    config: busConfig({ prefix, blockMs: 1000 }),
    concurrency: 1,
  });
}

interface ChainTiming {
  label: string;
  /** Only nodes of these planes run bench.stamp (the others keep diag.noop). */
  stamped: readonly Plane[];
  /** Stamped nodes apart per sample; the sample is their gap divided by this (handoffs between them). */
  step: number;
}

/**
 * Runs `nodes`-node chains one at a time (warm-up, then within `bounds`) and returns, per job, the gaps
 * from one stamped node's service returning to the stamped node `step` places on being entered, / step.
 */
async function timeChains(
  bus: Bus,
  waiter: JobWaiter,
  stamps: Stamps,
  nodes: number,
  bounds: LoopBounds,
  warmup: number,
  timing: ChainTiming,
): Promise<number[]> {
  const samples: number[] = [];
  const once = async (record: boolean): Promise<void> => {
    const graph = noopChain(benchJobId(timing.label), nodes);
    for (const node of graph.nodes) if (timing.stamped.includes(node.plane)) node.service = 'bench.stamp';
    const ended = waiter.wait(graph.workflowId, 10_000);
    await bus.submit(graph, 'node');
    const { status } = await ended;
    if (status !== 'completed') throw new Error(`${timing.label}: job ended ${status}`);
    for (let i = timing.step; i < nodes; i += timing.step) {
      const before = stamps.get(`${graph.workflowId}/n${i - timing.step}`);
      const after = stamps.get(`${graph.workflowId}/n${i}`);
      if (!before || !after) throw new Error(`${timing.label}: a node left no stamp`);
      if (record) samples.push((after.enter - before.exit) / timing.step);
    }
    stamps.clear();
  };
  for (let i = 0; i < warmup; i++) await once(false);
  await boundedLoop(bounds, () => once(true));
  return samples;
}

/** Per-handoff samples with both executors in this process. */
export async function executorHandoffs(
  bus: Bus,
  prefix: string,
  nodes: number,
  bounds: LoopBounds,
  warmup: number,
): Promise<number[]> {
  const stamps: Stamps = new Map();
  const control = stampExecutor(bus, 'node', prefix, stamps);
  const data = stampExecutor(bus, 'python', prefix, stamps);
  const waiter = new JobWaiter(bus);
  await bus.init();
  await waiter.start();
  await control.start();
  await data.start();
  try {
    return await timeChains(bus, waiter, stamps, nodes, bounds, warmup, {
      label: 'hop',
      stamped: ['node', 'python'],
      step: 1,
    });
  } finally {
    await control.stop(1000);
    await data.stop(1000);
    await waiter.stop();
  }
}

/** Per-handoff samples with the data executor (diag.noop) in a worker process on the same Redis prefix. */
export async function crossProcessHandoffs(
  bus: Bus,
  prefix: string,
  nodes: number,
  bounds: LoopBounds,
  warmup: number,
): Promise<number[]> {
  const stamps: Stamps = new Map();
  const worker = BenchChild.start('bench/orchestration/worker.ts', [prefix, '1']);
  const control = stampExecutor(bus, 'node', prefix, stamps);
  const waiter = new JobWaiter(bus);
  try {
    await bus.init();
    await worker.next('ready', 30_000);
    await waiter.start();
    await control.start();
    return await timeChains(bus, waiter, stamps, nodes, bounds, warmup, {
      label: 'xhop',
      stamped: ['node'],
      step: 2,
    });
  } finally {
    await control.stop(1000);
    await waiter.stop();
    await worker.stop();
  }
}
