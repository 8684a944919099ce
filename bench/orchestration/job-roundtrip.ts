/**
 * One-node no-op job round trips, submit -> completed event, one job at a time:
 * - ours: bus.submit of a one-node diag.noop graph; the control executor reads it, checkpoints it, runs the
 *   node and finishes the job; the clock stops when the 'completed' status event arrives on pub/sub;
 * - BullMQ: queue.add; a Worker runs a no-op processor; the clock stops when QueueEvents reports
 *   'completed' for the job (its equivalent of a completion event).
 * Both executors and both listeners live in this process, on the same Redis.
 */
import type { Bus } from '@myspinbot/bus';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { boundedLoop, type LoopBounds, within } from '../stats.js';
import { diagExecutor, JobWaiter } from './executors.js';
import { benchJobId, noopChain } from './graphs.js';

/** Round trips of `nodes`-node chains (1: the no-op job) through in-process executors of both planes. */
export async function busJobRoundTrips(
  bus: Bus,
  prefix: string,
  nodes: number,
  bounds: LoopBounds,
  warmup: number,
): Promise<number[]> {
  const control = diagExecutor(bus, 'node', prefix, 1);
  const data = diagExecutor(bus, 'python', prefix, 1);
  const waiter = new JobWaiter(bus);
  const samples: number[] = [];
  await bus.init();
  await waiter.start();
  await control.start();
  await data.start();
  try {
    const once = async (record: boolean): Promise<void> => {
      const graph = noopChain(benchJobId('rt'), nodes);
      const ended = waiter.wait(graph.workflowId, 10_000);
      const start = performance.now();
      await bus.submit(graph, 'node');
      const { status, at } = await ended;
      if (status !== 'completed') throw new Error(`round trip: job ended ${status}`);
      if (record) samples.push(at - start);
    };
    for (let i = 0; i < warmup; i++) await once(false);
    await boundedLoop(bounds, () => once(true));
    return samples;
  } finally {
    await control.stop(1000);
    await data.stop(1000);
    await waiter.stop();
  }
}

export async function bullmqRoundTrips(
  prefix: string,
  bounds: LoopBounds,
  warmup: number,
): Promise<number[]> {
  const connection = { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null };
  const name = 'noop';
  const queue = new Queue(name, { connection, prefix });
  const events = new QueueEvents(name, { connection, prefix });
  const worker = new Worker(name, async () => ({ ok: true }), { connection, prefix, concurrency: 1 });
  const waiting = new Map<string, () => void>();
  events.on('completed', ({ jobId }) => {
    const resolve = waiting.get(jobId);
    waiting.delete(jobId);
    resolve?.();
  });
  const samples: number[] = [];
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady(), worker.waitUntilReady()]);
    const once = async (record: boolean): Promise<void> => {
      const jobId = benchJobId('bull');
      const done = new Promise<void>((resolve) => waiting.set(jobId, resolve));
      const start = performance.now();
      await queue.add(name, { n: 1 }, { jobId });
      await within(done, 10_000, `BullMQ job ${jobId}`);
      if (record) samples.push(performance.now() - start);
    };
    for (let i = 0; i < warmup; i++) await once(false);
    await boundedLoop(bounds, () => once(true));
    return samples;
  } finally {
    await worker.close();
    await events.close();
    await queue.close();
  }
}
