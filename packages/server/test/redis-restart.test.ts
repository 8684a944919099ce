/**
 * Redis going away under running jobs, on a private redis-server (never the machine's shared one):
 * restarted with its AOF, both executors reconnect and the job finishes; restarted empty, the loss is
 * detected and reported, and the jobs are re-registered or re-queued instead of silently stuck.
 */
import { busConfig, RedisBus } from '@myspinbot/bus';
import type { JobEvent } from '@myspinbot/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { randomPrefix } from '../../../test/support/ids.js';
import { crossPlaneGraph, TIMINGS, waitForEnd, waitUntil } from '../../../test/support/jobs.js';
import { type RoleProcess, startRole } from '../../../test/support/processes.js';
import { type PrivateRedis, startPrivateRedis } from '../../../test/support/redis-server.js';

describe('Redis restarts under running jobs', () => {
  let redis: PrivateRedis | null = null;
  let bus: RedisBus | null = null;
  const processes: RoleProcess[] = [];

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.kill()));
    await bus?.close();
    bus = null;
    await redis?.dispose();
    redis = null;
  });

  async function setUp(appendonly: boolean, workerEnv: Record<string, string> = {}) {
    redis = await startPrivateRedis({ appendonly });
    const prefix = randomPrefix('restart');
    const env = { ...TIMINGS, REDIS_URL: redis.url, BUS_PREFIX: prefix };
    processes.push(await startRole('api', env));
    processes.push(await startRole('worker', { ...env, ...workerEnv }));
    bus = new RedisBus({
      url: redis.url,
      config: busConfig({ prefix, resetCheckIntervalMs: 500 }),
      maxReconnectDelayMs: 200,
    });
    await bus.init();
    const events: JobEvent[] = [];
    await bus.subscribe((e) => events.push(e));
    return { redis, bus, events, api: processes[0] as RoleProcess, worker: processes[1] as RoleProcess };
  }

  it('restarted with its AOF: both executors reconnect and the job finishes', async () => {
    const { redis: server, bus: client, events } = await setUp(true);
    const graph = crossPlaneGraph({ ms: 3000, steps: 15 });
    await client.submit(graph, 'node');
    await waitUntil(
      async () => events.some((e) => e.jobId === graph.workflowId && e.type === 'progress'),
      20_000,
      'data node under way',
    );
    await server.stop('SIGKILL');
    await new Promise((r) => setTimeout(r, 800));
    await server.start();
    const record = await waitForEnd(client, graph.workflowId, 40_000);
    expect(record.status).toBe('completed');
    expect(record.graph?.nodes.map((n) => n.status)).toEqual(['completed', 'completed', 'completed']);
    expect((await client.stats('python')).pending).toBe(0);
  });

  it('restarted empty: detected and reported; the held job is re-registered and the queued one re-queued', async () => {
    const { redis: server, bus: client, worker, api } = await setUp(false, { WORKER_CONCURRENCY: '1' });
    const held = crossPlaneGraph({ ms: 3000, steps: 15 });
    const queued = crossPlaneGraph({ ms: 100, steps: 2 });
    const events: JobEvent[] = [];
    await client.subscribe((e) => events.push(e));
    await client.submit(held, 'node');
    await waitUntil(
      async () => events.some((e) => e.jobId === held.workflowId && e.type === 'progress'),
      20_000,
      'held job under way',
    );
    // The worker runs one job at a time: the second waits in the data stream.
    await client.submit(queued, 'node');
    await waitUntil(
      async () => (await client.getJob(queued.workflowId))?.plane === 'python',
      10_000,
      'second job queued on the data plane',
    );
    await server.stop('SIGKILL');
    server.wipe();
    await server.start();
    const detectedAt = Date.now();
    await worker.waitForLog(
      (l) => typeof l.msg === 'string' && l.msg.startsWith('the bus lost its state'),
      10_000,
    );
    await api.waitForLog((l) => l.msg === 'Redis lost the bus state; checking active jobs', 10_000);
    expect(Date.now() - detectedAt).toBeLessThan(5000);
    const heldEnd = await waitForEnd(client, held.workflowId, 40_000);
    expect(heldEnd.status).toBe('completed');
    const queuedEnd = await waitForEnd(client, queued.workflowId, 40_000);
    expect(queuedEnd.status).toBe('completed');
    await api.waitForLog(
      (l) => l.msg === 'job re-queued after Redis lost its state' && l.jobId === queued.workflowId,
      5000,
    );
    const metrics = await (await fetch(`${worker.url}/metrics`)).text();
    expect(metrics).toMatch(/myspinbot_bus_resets_total\{plane="python"\} [1-9]/);
  });
});
