/**
 * Handoffs per second per executor: `inFlight` jobs, each a chain of no-op nodes alternating planes, kept
 * in flight (a job that ends is replaced at once) for `ms` after a warm-up; each executor counts the
 * handoffs it made inside the window. On Redis the data-plane executor runs in its own process (as in a
 * deployment); on the memory bus both executors share this process's one thread.
 */
import { type Bus, busConfig, MemoryBus, RedisBus } from '@myspinbot/bus';
import { BenchChild, type Message, numberField } from '../child.js';
import { redisCpuSeconds } from '../machine.js';
import { sleep } from '../stats.js';
import { HandoffCounter } from './counter.js';
import { diagExecutor, JobWaiter } from './executors.js';
import { benchJobId, noopChain } from './graphs.js';
import { connectRedis, REDIS_URL } from './redis.js';

export interface ThroughputOptions {
  inFlight: number;
  chain: number;
  warmupMs: number;
  ms: number;
}

export interface ThroughputResult {
  seconds: number;
  /** Handoffs per second made by the control executor and by the data executor. */
  control: number;
  data: number;
  jobsPerSecond: number;
  /** CPU used in the window, as a share of one core: this process, the worker process, Redis. */
  cpu: { self: number; worker: number | null; redis: number | null };
}

interface Window {
  seconds: number;
  jobs: number;
}

/** Keeps `inFlight` chains running through `bus`; `open`/`close` bracket the measurement window. */
async function closedLoop(
  bus: Bus,
  options: ThroughputOptions,
  open: () => Promise<void>,
  close: () => Promise<void>,
): Promise<Window> {
  const waiter = new JobWaiter(bus);
  const ours = new Set<string>();
  let launching = true;
  let ended = 0;
  let failed = 0;
  const launch = (): void => {
    if (!launching) return;
    const graph = noopChain(benchJobId('tp'), options.chain);
    ours.add(graph.workflowId);
    bus.submit(graph, 'node').catch(() => {
      failed += 1;
    });
  };
  waiter.onEnd = (jobId, { status }) => {
    if (!ours.delete(jobId)) return;
    ended += 1;
    if (status !== 'completed') failed += 1;
    launch();
  };
  await waiter.start();
  try {
    for (let i = 0; i < options.inFlight; i++) launch();
    await sleep(options.warmupMs);
    await open();
    const endedBefore = ended;
    const start = performance.now();
    await sleep(options.ms);
    await close();
    const seconds = (performance.now() - start) / 1000;
    const jobs = ended - endedBefore;
    launching = false;
    const drainUntil = performance.now() + 10_000;
    while (ours.size > 0 && performance.now() < drainUntil) await sleep(20);
    if (failed > 0) throw new Error(`throughput: ${failed} jobs failed`);
    return { seconds, jobs };
  } finally {
    await waiter.stop();
  }
}

export async function redisThroughput(prefix: string, options: ThroughputOptions): Promise<ThroughputResult> {
  const bus = new RedisBus({ url: REDIS_URL, config: busConfig({ prefix, blockMs: 1000 }) });
  const redis = connectRedis();
  const worker = BenchChild.start('bench/orchestration/worker.ts', [prefix, String(options.inFlight)]);
  const counter = new HandoffCounter();
  const control = diagExecutor(bus, 'node', prefix, options.inFlight, counter.hooks);
  try {
    await bus.init();
    await worker.next('ready', 30_000);
    await control.start();
    let redisCpu = 0;
    const pending: { report: Promise<Message> | null } = { report: null };
    const window = await closedLoop(
      bus,
      options,
      async () => {
        worker.send({ type: 'open' });
        counter.start();
        redisCpu = await redisCpuSeconds(redis);
      },
      async () => {
        counter.stop();
        pending.report = worker.next('counted', 10_000);
        worker.send({ type: 'close' });
        redisCpu = (await redisCpuSeconds(redis)) - redisCpu;
      },
    );
    if (!pending.report) throw new Error('throughput: the window never closed');
    const report = await pending.report;
    return {
      seconds: window.seconds,
      control: counter.handoffs / window.seconds,
      data: numberField(report, 'handoffs') / window.seconds,
      jobsPerSecond: window.jobs / window.seconds,
      cpu: {
        self: counter.cpuMs / 1000 / window.seconds,
        worker: numberField(report, 'cpuMs') / 1000 / window.seconds,
        redis: redisCpu / window.seconds,
      },
    };
  } finally {
    await control.stop(1000);
    await worker.stop();
    await bus.close();
    redis.disconnect();
  }
}

export async function memoryThroughput(options: ThroughputOptions): Promise<ThroughputResult> {
  const bus = new MemoryBus(busConfig({ blockMs: 1000 }));
  const controlCounter = new HandoffCounter();
  const dataCounter = new HandoffCounter();
  const control = diagExecutor(bus, 'node', 'mem', options.inFlight, controlCounter.hooks);
  const data = diagExecutor(bus, 'python', 'mem', options.inFlight, dataCounter.hooks);
  await control.start();
  await data.start();
  try {
    const window = await closedLoop(
      bus,
      options,
      async () => {
        controlCounter.start();
        dataCounter.start();
      },
      async () => {
        controlCounter.stop();
        dataCounter.stop();
      },
    );
    return {
      seconds: window.seconds,
      control: controlCounter.handoffs / window.seconds,
      data: dataCounter.handoffs / window.seconds,
      jobsPerSecond: window.jobs / window.seconds,
      cpu: { self: controlCounter.cpuMs / 1000 / window.seconds, worker: null, redis: null },
    };
  } finally {
    await control.stop(1000);
    await data.stop(1000);
    await bus.close();
  }
}
