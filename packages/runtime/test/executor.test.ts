import { type Bus, busConfig, MemoryBus, RedisBus } from '@myspinbot/bus';
import { type BusConfig, MySpinBotError } from '@myspinbot/contracts';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REDIS_URL, randomPrefix } from '../../../test/support/ids.js';
import { diagnosticServices } from '../src/diagnostics.js';
import { PlaneExecutor } from '../src/executor.js';
import type { ExecutorHooks } from '../src/hooks.js';
import { ServiceRegistry } from '../src/service.js';
import { graphOf, waitForTerminal, withOverrides } from './support.js';

const timings: Partial<BusConfig> = {
  visibilityTimeoutMs: 400,
  heartbeatIntervalMs: 80,
  reclaimIntervalMs: 100,
  maxDeliveries: 3,
  blockMs: 100,
  trimIntervalMs: 500,
  resetCheckIntervalMs: 200,
};

interface BusFactory {
  name: string;
  create(): Promise<{ bus: Bus; config: BusConfig; dispose(): Promise<void> }>;
}

const factories: BusFactory[] = [
  {
    name: 'MemoryBus',
    async create() {
      const config = busConfig({ ...timings, prefix: 'mem' });
      const bus = new MemoryBus(config);
      return { bus, config, dispose: () => bus.close() };
    },
  },
  {
    name: 'RedisBus',
    async create() {
      const prefix = randomPrefix('rt');
      const config = busConfig({ ...timings, prefix });
      const bus = new RedisBus({ url: REDIS_URL, config });
      return {
        bus,
        config,
        async dispose() {
          await bus.close();
          const admin = new Redis(REDIS_URL);
          const keys = await admin.keys(`${prefix}:*`);
          if (keys.length > 0) await admin.del(...keys);
          admin.disconnect();
        },
      };
    },
  },
];

function registries() {
  const control = new ServiceRegistry('node').register(...diagnosticServices('node'));
  const data = new ServiceRegistry('python').register(...diagnosticServices('python'));
  return { control, data };
}

describe.each(factories)('PlaneExecutor on $name', (factory) => {
  let bus: Bus;
  let config: BusConfig;
  let dispose: () => Promise<void>;
  const executors: PlaneExecutor[] = [];

  function executor(
    plane: 'node' | 'python',
    extra: {
      hooks?: ExecutorHooks;
      concurrency?: number;
      consumer?: string;
      registry?: ServiceRegistry;
    } = {},
  ) {
    const { control, data } = registries();
    const registry = extra.registry ?? (plane === 'node' ? control : data);
    const created = new PlaneExecutor({
      bus,
      registry,
      deps: undefined,
      config,
      ...(extra.consumer ? { consumer: extra.consumer } : {}),
      ...(extra.hooks ? { hooks: extra.hooks } : {}),
      concurrency: extra.concurrency ?? 2,
    });
    executors.push(created);
    return created;
  }

  beforeEach(async () => {
    ({ bus, config, dispose } = await factory.create());
    await bus.init();
  });

  afterEach(async () => {
    await Promise.all(executors.splice(0).map((e) => e.stop(1000)));
    await dispose();
  });

  it('runs a control -> data -> control graph to completion, passing outputs downstream', async () => {
    const finished: string[] = [];
    await executor('node', { hooks: { onJobFinished: (e) => finished.push(e.status) } }).start();
    await executor('python').start();
    const graph = graphOf(
      [
        { id: 'a', service: 'diag.noop', plane: 'node' },
        { id: 'b', service: 'diag.sleep', plane: 'python', params: { ms: 100, steps: 4 } },
        { id: 'c', service: 'diag.echo', plane: 'node', input: { fixed: 1 } },
      ],
      [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c', as: 'slept' },
      ],
      { prompt: 'hello' },
    );
    await bus.submit(graph, 'node');
    const { record, events } = await waitForTerminal(bus, graph.workflowId);
    expect(record.status).toBe('completed');
    expect(record.progress).toBe(1);
    const c = record.graph?.nodes.find((n) => n.id === 'c');
    expect(c?.output).toMatchObject({
      input: { fixed: 1, slept: { sleptMs: 100, plane: 'python' } },
      context: { prompt: 'hello' },
      plane: 'node',
    });
    expect(record.graph?.nodes.every((n) => n.status === 'completed' && (n.attempts ?? 0) === 1)).toBe(true);
    expect(events.some((e) => e.type === 'progress' && e.nodeId === 'b')).toBe(true);
    const progress = events.filter((e) => e.type === 'progress').map((e) => e.progress ?? 0);
    expect(progress).toEqual([...progress].sort((x, y) => x - y));
    expect(finished).toEqual(['completed']);
    expect((await bus.stats('node')).pending).toBe(0);
    expect((await bus.stats('python')).pending).toBe(0);
  });

  it.each(['node', 'python'] as const)(
    'a node that throws on the %s plane fails the job with its error',
    async (plane) => {
      await executor('node').start();
      await executor('python').start();
      const graph = graphOf(
        [
          { id: 'first', service: 'diag.noop', plane: 'node' },
          {
            id: 'boom',
            service: 'diag.fail',
            plane,
            params: { code: 'ENGINE_UNAVAILABLE', message: 'engine down' },
          },
          { id: 'after', service: 'diag.noop', plane: 'python' },
        ],
        [
          { from: 'first', to: 'boom' },
          { from: 'boom', to: 'after' },
        ],
      );
      await bus.submit(graph, 'node');
      const { record } = await waitForTerminal(bus, graph.workflowId);
      expect(record.status).toBe('failed');
      expect(record.error).toMatchObject({
        nodeId: 'boom',
        code: 'ENGINE_UNAVAILABLE',
        message: 'engine down',
      });
      const nodes = new Map(record.graph?.nodes.map((n) => [n.id, n]));
      expect(nodes.get('boom')?.status).toBe('failed');
      expect(nodes.get('boom')?.error?.code).toBe('ENGINE_UNAVAILABLE');
      expect(nodes.get('after')?.status).toBe('skipped');
      expect(record.graph?.nodes.some((n) => n.status === 'running')).toBe(false);
    },
  );

  it('fails a node that runs past its timeout with NODE_TIMEOUT', async () => {
    await executor('python').start();
    const graph = graphOf(
      [{ id: 'slow', service: 'diag.sleep', plane: 'python', params: { ms: 5000 }, timeoutMs: 150 }],
      [],
    );
    await bus.submit(graph, 'python');
    const { record } = await waitForTerminal(bus, graph.workflowId);
    expect(record.status).toBe('failed');
    expect(record.error?.code).toBe('NODE_TIMEOUT');
  });

  it('fails a node whose service the plane does not have with SERVICE_NOT_FOUND', async () => {
    await executor('python').start();
    const graph = graphOf([{ id: 'x', service: 'no.such.service', plane: 'python' }], []);
    await bus.submit(graph, 'python');
    const { record } = await waitForTerminal(bus, graph.workflowId);
    expect(record.error?.code).toBe('SERVICE_NOT_FOUND');
  });

  it('cancels a running node through its AbortSignal and cancels what waits', async () => {
    let aborted: unknown = null;
    const registry = new ServiceRegistry('python').register(
      {
        name: 'long',
        plane: 'python',
        async run(_input, ctx) {
          await new Promise<void>((resolve) =>
            ctx.signal.addEventListener('abort', () => resolve(), { once: true }),
          );
          aborted = ctx.signal.reason;
          throw ctx.signal.reason;
        },
      },
      ...diagnosticServices('python'),
    );
    await executor('python', { registry }).start();
    const graph = graphOf(
      [
        { id: 'long', service: 'long', plane: 'python' },
        { id: 'next', service: 'diag.noop', plane: 'python' },
      ],
      [{ from: 'long', to: 'next' }],
    );
    await bus.submit(graph, 'python');
    for (let i = 0; i < 100 && (await bus.getJob(graph.workflowId))?.status !== 'running'; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await bus.requestCancel(graph.workflowId, 'user changed their mind');
    const { record } = await waitForTerminal(bus, graph.workflowId);
    expect(record.status).toBe('cancelled');
    expect(aborted).toBeInstanceOf(MySpinBotError);
    expect((aborted as MySpinBotError).code).toBe('NODE_CANCELLED');
    expect(record.graph?.nodes.map((n) => n.status)).toEqual(['cancelled', 'cancelled']);
    expect((await bus.stats('python')).pending).toBe(0);
  });

  it('dead-letters a malformed entry and keeps serving other jobs', async () => {
    const deadLetters: string[] = [];
    await executor('python', { hooks: { onDeadLetter: (e) => deadLetters.push(e.code) } }).start();
    // An entry written by a broken producer: a graph with a cycle, under a job id with a record.
    const bad = graphOf(
      [
        { id: 'a', service: 'diag.noop', plane: 'python' },
        { id: 'b', service: 'diag.noop', plane: 'python' },
      ],
      [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'a' },
      ],
    );
    await bus.submit(bad, 'python');
    const good = graphOf([{ id: 'ok', service: 'diag.noop', plane: 'python' }], []);
    await bus.submit(good, 'python');
    const badEnd = await waitForTerminal(bus, bad.workflowId);
    expect(badEnd.record.status).toBe('failed');
    expect(badEnd.record.error?.code).toBe('ENTRY_MALFORMED');
    expect(badEnd.record.error?.message).toMatch(/GRAPH_CYCLE/);
    const goodEnd = await waitForTerminal(bus, good.workflowId);
    expect(goodEnd.record.status).toBe('completed');
    const [dead] = await bus.listDeadLetters(1);
    expect(dead?.jobId).toBe(bad.workflowId);
    expect(deadLetters).toEqual(['ENTRY_MALFORMED']);
  });

  it('reclaims the entry of a consumer that died and completes the job once', async () => {
    const graph = graphOf([{ id: 'work', service: 'diag.sleep', plane: 'python', params: { ms: 50 } }], []);
    await bus.submit(graph, 'python');
    // A consumer takes the entry and dies without a trace.
    const [taken] = await bus.read('python', 'dead-consumer', 1, 500);
    expect(taken?.fields.jobId).toBe(graph.workflowId);
    const finished: string[] = [];
    const reclaims: number[] = [];
    await executor('python', {
      hooks: { onJobFinished: (e) => finished.push(e.status), onReclaim: (e) => reclaims.push(e.count) },
    }).start();
    const { record } = await waitForTerminal(bus, graph.workflowId);
    expect(record.status).toBe('completed');
    expect(reclaims).toEqual([1]);
    expect(finished).toEqual(['completed']);
    expect((await bus.stats('python')).pending).toBe(0);
  });

  it('dead-letters an entry delivered more than maxDeliveries times and fails its job', async () => {
    const graph = graphOf([{ id: 'poison', service: 'diag.noop', plane: 'python' }], []);
    await bus.submit(graph, 'python');
    await bus.read('python', 'crash-1', 1, 500);
    for (let i = 2; i <= config.maxDeliveries; i++) {
      await new Promise((r) => setTimeout(r, config.visibilityTimeoutMs + 20));
      expect((await bus.reclaim('python', `crash-${i}`, config.visibilityTimeoutMs, 1)).length).toBe(1);
    }
    await new Promise((r) => setTimeout(r, config.visibilityTimeoutMs + 20));
    await executor('python').start();
    const { record } = await waitForTerminal(bus, graph.workflowId);
    expect(record.status).toBe('failed');
    expect(record.error?.code).toBe('MAX_DELIVERIES_EXCEEDED');
    expect(record.graph?.nodes[0]?.status).toBe('failed');
    const [dead] = await bus.listDeadLetters(1);
    expect(dead?.deliveries).toBe(config.maxDeliveries + 1);
  });

  it('keeps the claim of a long node with heartbeats (no reclaim past the visibility timeout)', async () => {
    const reclaims: number[] = [];
    await executor('python', { consumer: 'w1', hooks: { onReclaim: (e) => reclaims.push(e.count) } }).start();
    await executor('python', { consumer: 'w2', hooks: { onReclaim: (e) => reclaims.push(e.count) } }).start();
    const graph = graphOf(
      [{ id: 'long', service: 'diag.sleep', plane: 'python', params: { ms: 1200, steps: 3 } }],
      [],
    );
    await bus.submit(graph, 'python');
    const { record } = await waitForTerminal(bus, graph.workflowId);
    expect(record.status).toBe('completed');
    expect(record.graph?.nodes[0]?.attempts).toBe(1);
    expect(reclaims).toEqual([]);
  });

  it('a graceful stop releases unfinished work to another executor', async () => {
    const first = executor('python', { consumer: 'leaving' });
    await first.start();
    const graph = graphOf(
      [{ id: 'long', service: 'diag.sleep', plane: 'python', params: { ms: 800, steps: 8 } }],
      [],
    );
    await bus.submit(graph, 'python');
    for (let i = 0; i < 100 && first.busy === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(first.busy).toBe(1);
    await first.stop(100);
    expect(first.state).toBe('stopped');
    const started = Date.now();
    await executor('python', { consumer: 'staying' }).start();
    const { record } = await waitForTerminal(bus, graph.workflowId);
    expect(record.status).toBe('completed');
    // Released, not reclaimed: picked up well before the visibility timeout would allow a reclaim.
    expect(record.graph?.nodes[0]?.attempts).toBe(2);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('builds the plane manifest from its registry', () => {
    const manifest = executor('python').manifest();
    expect(manifest.plane).toBe('python');
    expect(manifest.services.map((s) => s.name)).toEqual([
      'diag.echo',
      'diag.fail',
      'diag.noop',
      'diag.sleep',
    ]);
    expect(manifest.executor?.id).toBeTruthy();
  });

  it('finishes a job whose entry was cancelled while queued without running it', async () => {
    const ran: string[] = [];
    const registry = new ServiceRegistry('python').register({
      name: 'record',
      plane: 'python',
      async run(_i, ctx) {
        ran.push(ctx.nodeId);
        return {};
      },
    });
    const graph = graphOf([{ id: 'never', service: 'record', plane: 'python' }], []);
    await bus.submit(graph, 'python');
    await bus.requestCancel(graph.workflowId);
    await executor('python', { registry }).start();
    for (let i = 0; i < 100 && (await bus.stats('python')).lag > 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    expect(ran).toEqual([]);
    expect((await bus.getJob(graph.workflowId))?.status).toBe('cancelled');
    expect((await bus.stats('python')).pending).toBe(0);
  });

  /** A registry whose 'record' service notes the nodes it entered and waits for `ms` or its abort. */
  function recordingRegistry(ran: string[], aborted: string[], ms: number) {
    return new ServiceRegistry('python').register({
      name: 'record',
      plane: 'python',
      async run(_i, ctx) {
        ran.push(ctx.nodeId);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ms);
          ctx.signal.addEventListener('abort', () => {
            aborted.push(ctx.nodeId);
            clearTimeout(timer);
            resolve();
          });
        });
        return {};
      },
    });
  }

  it('does not start a job cancelled while queued behind another, once it heard the cancel', async () => {
    const ran: string[] = [];
    const registry = recordingRegistry(ran, [], 400);
    await executor('python', { registry, concurrency: 1 }).start();
    // Entries written well after the executor began listening may start before their checkpoint lands.
    await new Promise((r) => setTimeout(r, 1_100));
    const busy = graphOf([{ id: 'busy', service: 'record', plane: 'python' }], []);
    const queued = graphOf([{ id: 'queued', service: 'record', plane: 'python' }], []);
    await bus.submit(busy, 'python');
    for (let i = 0; i < 100 && !ran.includes('busy'); i++) await new Promise((r) => setTimeout(r, 10));
    await bus.submit(queued, 'python');
    await bus.requestCancel(queued.workflowId);
    const { record } = await waitForTerminal(bus, queued.workflowId);
    expect(record.status).toBe('cancelled');
    expect((await waitForTerminal(bus, busy.workflowId)).record.status).toBe('completed');
    expect(ran).toEqual(['busy']);
  });

  it('aborts a node started at once when its running checkpoint finds the job cancelled', async () => {
    const ran: string[] = [];
    const aborted: string[] = [];
    const registry = recordingRegistry(ran, aborted, 300);
    // This executor hears no cancel message: only the checkpoint's cancel check can stop the node.
    const deaf = withOverrides(bus, { onControl: async () => async () => undefined });
    const deafExecutor = new PlaneExecutor({ bus: deaf, registry, deps: undefined, config, concurrency: 1 });
    executors.push(deafExecutor);
    await deafExecutor.start();
    await new Promise((r) => setTimeout(r, 1_100));
    const busy = graphOf([{ id: 'busy', service: 'record', plane: 'python' }], []);
    const queued = graphOf([{ id: 'queued', service: 'record', plane: 'python' }], []);
    await bus.submit(busy, 'python');
    await bus.submit(queued, 'python');
    await bus.requestCancel(queued.workflowId);
    expect((await waitForTerminal(bus, busy.workflowId)).record.status).toBe('completed');
    for (let i = 0; i < 200 && !aborted.includes('queued'); i++) await new Promise((r) => setTimeout(r, 10));
    // The unheard cancel let the node start, and its checkpoint aborted it at once (not after 300 ms).
    expect(ran).toEqual(['busy', 'queued']);
    expect(aborted).toEqual(['queued']);
    const { record } = await waitForTerminal(bus, queued.workflowId);
    expect(record.status).toBe('cancelled');
    for (let i = 0; i < 100 && (await bus.stats('python')).pending > 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect((await bus.getJob(queued.workflowId))?.graph?.nodes[0]?.status).toBe('cancelled');
    expect((await bus.stats('python')).pending).toBe(0);
  });
});
