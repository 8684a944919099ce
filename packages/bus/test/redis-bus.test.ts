import type { WorkflowGraph } from '@myspinbot/contracts';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { REDIS_URL, randomPrefix } from '../../../test/support/ids.js';
import { busConfig } from '../src/defaults.js';
import { statusEvent } from '../src/record.js';
import { RedisBus } from '../src/redis/redis-bus.js';
import { CONFORMANCE_TIMINGS, runBusConformance } from './conformance.js';

runBusConformance('RedisBus', async () => {
  const prefix = randomPrefix('bus');
  const bus = new RedisBus({ url: REDIS_URL, config: busConfig({ ...CONFORMANCE_TIMINGS, prefix }) });
  return {
    bus,
    async dispose() {
      await bus.close();
      const admin = new Redis(REDIS_URL);
      const keys = await admin.keys(`${prefix}:*`);
      if (keys.length > 0) await admin.del(...keys);
      admin.disconnect();
    },
  };
});

describe('RedisBus after Redis lost its state', () => {
  it('a transition that finds the state gone fails (to be retried) and reports the reset, not a lost claim', async () => {
    const prefix = randomPrefix('bus-reset');
    const bus = new RedisBus({
      url: REDIS_URL,
      config: busConfig({ ...CONFORMANCE_TIMINGS, prefix, resetCheckIntervalMs: 60_000 }),
    });
    const admin = new Redis(REDIS_URL);
    try {
      await bus.init();
      let resets = 0;
      bus.on('reset', () => {
        resets += 1;
      });
      const graph: WorkflowGraph = {
        schema: 'langgraph.v1',
        workflowId: `reset-${process.pid}-${Date.now().toString(36)}`,
        metadata: { pipeline: 'test', createdAt: new Date().toISOString() },
        nodes: [{ id: 'n0', name: 'n0', service: 'diag.noop', plane: 'node', status: 'pending' }],
        edges: [],
      };
      await bus.submit(graph, 'node');
      const [delivery] = await bus.read('node', 'c1', 1, 500);
      if (!delivery) throw new Error('nothing read');
      const update = {
        graph,
        status: 'running' as const,
        progress: 0,
        event: statusEvent(graph.workflowId, 'running', 0),
      };
      // What a Redis restarted empty looks like, with another process already back: keys gone, groups
      // re-created, a new epoch. This bus has not noticed yet (its state check runs once a minute here).
      const keys = await admin.keys(`${prefix}:*`);
      if (keys.length > 0) await admin.del(...keys);
      for (const stream of [`${prefix}:stream:node`, `${prefix}:stream:python`]) {
        await admin.xgroup('CREATE', stream, 'executors', '0', 'MKSTREAM');
      }
      await admin.set(`${prefix}:epoch`, 'another-process');
      await expect(bus.checkpoint(delivery, update)).rejects.toThrow(/lost its state/);
      expect(resets).toBe(1);
      // With the reset noticed, a claim that really is lost still answers 'lost'.
      expect(await bus.finish(delivery, update)).toBe('lost');
      expect(resets).toBe(1);
    } finally {
      await bus.close();
      const keys = await admin.keys(`${prefix}:*`);
      if (keys.length > 0) await admin.del(...keys);
      admin.disconnect();
    }
  });
});
