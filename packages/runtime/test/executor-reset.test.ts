/**
 * What an executor does when its bus reports a reset (Redis came back empty), with the reset signalled by
 * hand so the moment is exact: jobs whose entries the store no longer holds are re-registered and carried
 * on through requeue, again after every reset; a job whose entry the store still holds carries on through
 * it (acknowledged once, never left pending to be reclaimed and run twice).
 */
import { type Bus, type BusEvents, busConfig, RedisBus } from '@myspinbot/bus';
import type { BusConfig } from '@myspinbot/contracts';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REDIS_URL, randomPrefix } from '../../../test/support/ids.js';
import { diagnosticServices } from '../src/diagnostics.js';
import { PlaneExecutor } from '../src/executor.js';
import { ServiceRegistry } from '../src/service.js';
import { graphOf, waitForTerminal, withOverrides } from './support.js';

/** The executor's view of the bus: resets come when the test says, and heartbeats can be made to forget. */
interface ResettableBus {
  bus: Bus;
  reset(): void;
  forgetEntries: boolean;
}

function resettable(inner: Bus): ResettableBus {
  const listeners = new Set<BusEvents['reset']>();
  const handle: ResettableBus = {
    forgetEntries: false,
    reset: () => {
      for (const listener of listeners) listener();
    },
    bus: withOverrides(inner, {
      on: (event: keyof BusEvents, listener: BusEvents[keyof BusEvents]) => {
        if (event === 'reset') listeners.add(listener as BusEvents['reset']);
        else inner.on(event, listener);
      },
      off: (event: keyof BusEvents, listener: BusEvents[keyof BusEvents]) => {
        if (event === 'reset') listeners.delete(listener as BusEvents['reset']);
        else inner.off(event, listener);
      },
      heartbeat: (plane: 'node' | 'python', consumer: string, ids: readonly string[]) =>
        handle.forgetEntries ? Promise.resolve([]) : inner.heartbeat(plane, consumer, ids),
    }),
  };
  return handle;
}

describe('PlaneExecutor after a bus reset (RedisBus)', () => {
  let prefix: string;
  let config: BusConfig;
  let bus: RedisBus;
  let executor: PlaneExecutor | null = null;

  beforeEach(async () => {
    prefix = randomPrefix('rst');
    config = busConfig({
      prefix,
      visibilityTimeoutMs: 600,
      heartbeatIntervalMs: 100,
      reclaimIntervalMs: 100,
      blockMs: 100,
      resetCheckIntervalMs: 60_000,
    });
    bus = new RedisBus({ url: REDIS_URL, config });
    await bus.init();
  });

  afterEach(async () => {
    await executor?.stop(1000);
    executor = null;
    await bus.close();
    const admin = new Redis(REDIS_URL);
    const keys = await admin.keys(`${prefix}:*`);
    if (keys.length > 0) await admin.del(...keys);
    admin.disconnect();
  });

  async function start(view: ResettableBus): Promise<void> {
    const registry = new ServiceRegistry('python').register(...diagnosticServices('python'));
    executor = new PlaneExecutor({ bus: view.bus, registry, deps: undefined, config, concurrency: 2 });
    await executor.start();
  }

  async function untilRunning(jobId: string): Promise<void> {
    for (let i = 0; i < 200; i++) {
      if ((await bus.getJob(jobId))?.graph?.nodes[0]?.status === 'running') return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`job ${jobId} never ran`);
  }

  it('carries a job whose entry the store still holds on through that entry', async () => {
    const view = resettable(bus);
    await start(view);
    const graph = graphOf([{ id: 'work', service: 'diag.sleep', plane: 'python', params: { ms: 800 } }], []);
    const completions: string[] = [];
    const unsubscribe = await bus.subscribe((event) => {
      if (event.jobId === graph.workflowId && event.type === 'status' && event.status === 'completed') {
        completions.push(event.at);
      }
    });
    const ended = waitForTerminal(bus, graph.workflowId);
    await bus.submit(graph, 'python');
    await untilRunning(graph.workflowId);
    view.reset();
    const { record } = await ended;
    expect(record.status).toBe('completed');
    // Past the visibility timeout and a reclaim round: the entry was acknowledged once, nothing pending was
    // reclaimed and finished again.
    await new Promise((r) => setTimeout(r, 1_500));
    await unsubscribe();
    expect((await bus.stats('python')).pending).toBe(0);
    expect(completions).toHaveLength(1);
    expect((await bus.getJob(graph.workflowId))?.graph?.nodes[0]?.attempts).toBe(1);
  });

  it('re-registers a job whose entry is gone after every reset, and finishes it', async () => {
    const view = resettable(bus);
    view.forgetEntries = true;
    await start(view);
    const graph = graphOf(
      [{ id: 'work', service: 'diag.sleep', plane: 'python', params: { ms: 1_200 } }],
      [],
    );
    const ended = waitForTerminal(bus, graph.workflowId);
    await bus.submit(graph, 'python');
    await untilRunning(graph.workflowId);
    const admin = new Redis(REDIS_URL);
    try {
      for (let reset = 0; reset < 2; reset++) {
        // The store lost the job's record (and, as the heartbeat says, its entry).
        await admin.del(`${prefix}:job:${graph.workflowId}`);
        view.reset();
        let record = null;
        for (let i = 0; i < 100 && record === null; i++) {
          record = await bus.getJob(graph.workflowId);
          if (record === null) await new Promise((r) => setTimeout(r, 10));
        }
        expect(record?.status, `after reset ${reset + 1}`).toBe('running');
      }
    } finally {
      admin.disconnect();
    }
    const { record } = await ended;
    expect(record.status).toBe('completed');
  });
});
