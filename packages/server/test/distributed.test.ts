/**
 * The engine across real OS processes on a real Redis: an API process (control plane) and worker
 * processes (data plane), driven through the bus and the HTTP API.
 */
import { busConfig, RedisBus } from '@myspinbot/bus';
import type { JobEvent } from '@myspinbot/contracts';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REDIS_URL, randomPrefix } from '../../../test/support/ids.js';
import { crossPlaneGraph, TIMINGS, waitForEnd, waitUntil } from '../../../test/support/jobs.js';
import { type RoleProcess, startRole } from '../../../test/support/processes.js';

describe('two planes in separate processes on the machine Redis', () => {
  let prefix: string;
  let bus: RedisBus;
  let events: JobEvent[];
  const processes: RoleProcess[] = [];
  const env = () => ({ ...TIMINGS, REDIS_URL, BUS_PREFIX: prefix });

  beforeEach(async () => {
    prefix = randomPrefix('dist');
    bus = new RedisBus({ url: REDIS_URL, config: busConfig({ prefix }) });
    await bus.init();
    events = [];
    await bus.subscribe((e) => events.push(e));
  });

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.kill()));
    await bus.close();
    const admin = new Redis(REDIS_URL);
    const keys = await admin.keys(`${prefix}:*`);
    if (keys.length > 0) await admin.del(...keys);
    admin.disconnect();
  });

  async function role(name: 'api' | 'worker', extra: Record<string, string> = {}) {
    const started = await startRole(name, { ...env(), ...extra });
    processes.push(started);
    return started;
  }

  it('runs a control -> data -> control graph across an API process and a worker process', async () => {
    const api = await role('api');
    const worker = await role('worker');
    const graph = crossPlaneGraph();
    await bus.submit(graph, 'node');
    const record = await waitForEnd(bus, graph.workflowId);
    expect(record.status).toBe('completed');
    const finish = record.graph?.nodes.find((n) => n.id === 'finish');
    expect(finish?.output).toMatchObject({ input: { work: { sleptMs: 200, plane: 'python' } } });
    // The graph really crossed processes: the worker logged the data node, the API the control nodes (their
    // logs arrive through pipes, possibly after the job ended).
    await worker.waitForLog(
      (l) => l.jobId === graph.workflowId && l.nodeId === 'work' && l.msg === 'node completed',
      5_000,
    );
    await api.waitForLog(
      (l) => l.jobId === graph.workflowId && l.nodeId === 'finish' && l.msg === 'node completed',
      5_000,
    );
    const status = await fetch(`${api.url}/api/status/${graph.workflowId}`);
    expect(status.status).toBe(200);
    const state = (await status.json()) as { status: string; progress: number; nodes: { status: string }[] };
    expect(state).toMatchObject({ status: 'completed', progress: 1 });
    expect(state.nodes.map((n) => n.status)).toEqual(['completed', 'completed', 'completed']);
    const metrics = await (await fetch(`${worker.url}/metrics`)).text();
    expect(metrics).toMatch(
      /myspinbot_node_duration_seconds_count\{plane="python",service="diag.sleep",status="completed"\} 1/,
    );
  });

  it('answers 404 for an unknown job and capabilities within the bound when no worker runs', async () => {
    const api = await role('api', { CAPABILITIES_TIMEOUT_MS: '800' });
    const missing = await fetch(`${api.url}/api/status/no-such-job`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: { code: 'JOB_NOT_FOUND', message: 'no job with id no-such-job' },
    });
    const started = Date.now();
    const response = await fetch(`${api.url}/api/capabilities`);
    const elapsed = Date.now() - started;
    expect(response.status).toBe(200);
    const manifest = (await response.json()) as {
      planes: { node: unknown; python: unknown };
      unavailable: { plane: string; reason: string }[];
    };
    expect(manifest.planes.python).toBeNull();
    expect(manifest.planes.node).not.toBeNull();
    expect(manifest.unavailable).toEqual([
      { plane: 'python', reason: 'no data-plane worker answered within 800 ms' },
    ]);
    expect(elapsed).toBeLessThan(800 + 2000);
    // With a worker up, both planes answer.
    await role('worker');
    const full = (await (await fetch(`${api.url}/api/capabilities`)).json()) as {
      services: string[];
      unavailable: unknown[];
    };
    expect(full.unavailable).toEqual([]);
    expect(full.services).toContain('python/get_capabilities');
    expect(full.services).toContain('node/capabilities.getManifest');
  });

  it('survives SIGKILL of a worker in the middle of a long node: reclaimed, completed once, nothing pending', async () => {
    await role('api');
    const workers = [await role('worker'), await role('worker')];
    const graph = crossPlaneGraph({ ms: 4000, steps: 20 });
    await bus.submit(graph, 'node');
    // Wait until a worker is in the middle of the long node, then kill that worker.
    await waitUntil(
      async () =>
        events.some(
          (e) => e.jobId === graph.workflowId && e.type === 'progress' && (e.nodeProgress ?? 0) >= 0.25,
        ),
      20_000,
      'long node under way',
    );
    const admin = new Redis(REDIS_URL);
    const pending = (await admin.xpending(`${prefix}:stream:data`, 'executors', '-', '+', 10)) as [
      string,
      string,
      number,
      number,
    ][];
    admin.disconnect();
    expect(pending).toHaveLength(1);
    const owner = pending[0]?.[1] ?? '';
    const victim = workers.find((w) => owner.includes(`-${w.pid}-`));
    if (!victim) throw new Error(`no worker process owns the entry (owner ${owner})`);
    await victim.kill();
    const record = await waitForEnd(bus, graph.workflowId, 40_000);
    expect(record.status).toBe('completed');
    const work = record.graph?.nodes.find((n) => n.id === 'work');
    expect(work?.attempts).toBe(2);
    const completions = events.filter(
      (e) => e.jobId === graph.workflowId && e.type === 'status' && e.status === 'completed',
    );
    expect(completions).toHaveLength(1);
    expect((await bus.stats('python')).pending).toBe(0);
    expect((await bus.stats('node')).pending).toBe(0);
    const survivor = workers.find((w) => w !== victim);
    expect(survivor?.logs.some((l) => l.msg === 'reclaimed idle entries')).toBe(true);
  });

  it('fails the job with the error on the node when a data-plane node throws; no job is left running', async () => {
    await role('api');
    await role('worker');
    const graph = crossPlaneGraph(
      { code: 'ENGINE_UNAVAILABLE', message: 'the renderer is down' },
      'diag.fail',
    );
    await bus.submit(graph, 'node');
    const record = await waitForEnd(bus, graph.workflowId);
    expect(record.status).toBe('failed');
    expect(record.error).toMatchObject({
      nodeId: 'work',
      code: 'ENGINE_UNAVAILABLE',
      message: 'the renderer is down',
    });
    expect(record.graph?.nodes.map((n) => n.status)).toEqual(['completed', 'failed', 'skipped']);
  });

  it('dead-letters a malformed entry, logs it, and keeps serving other jobs', async () => {
    await role('api');
    const worker = await role('worker');
    const admin = new Redis(REDIS_URL);
    await admin.xadd(
      `${prefix}:stream:data`,
      '*',
      'jobId',
      'garbage-1',
      'graph',
      '{"schema":"langgraph.v1","nodes":',
    );
    await admin.xadd(`${prefix}:stream:data`, '*', 'nonsense', 'x');
    admin.disconnect();
    const graph = crossPlaneGraph();
    await bus.submit(graph, 'node');
    expect((await waitForEnd(bus, graph.workflowId)).status).toBe('completed');
    await worker.waitForLog((l) => l.msg === 'malformed entry dead-lettered' && l.jobId === 'garbage-1');
    const dead = await bus.listDeadLetters(10);
    expect(dead.map((d) => d.code)).toEqual(['ENTRY_MALFORMED', 'ENTRY_MALFORMED']);
    expect(dead.some((d) => d.jobId === 'garbage-1' && /not JSON/.test(d.message))).toBe(true);
    expect((await bus.stats('python')).pending).toBe(0);
  });
});
