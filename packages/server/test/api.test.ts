/**
 * The control-plane HTTP surface in process (Fastify inject), on the embedded composition: MemoryBus and
 * both executors in this process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlProcess } from '../src/control/compose.js';
import { type Harness, startHarness } from './harness.js';

describe('control-plane HTTP API (embedded composition)', () => {
  let h: Harness;
  let proc: ControlProcess;

  beforeAll(async () => {
    h = await startHarness();
    proc = h.proc;
  });

  afterAll(async () => {
    await h.close();
  });

  it('GET /health answers ok and GET /ready checks the bus and both executors', async () => {
    const health = await proc.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok', role: 'embedded' });
    const ready = await proc.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({
      status: 'ready',
      role: 'embedded',
      checks: { bus: 'ok', storage: 'ok', history: 'ok', controlExecutor: 'ok', dataExecutor: 'ok' },
    });
  });

  it('GET /api/capabilities runs the cross-plane graph and merges both manifests', async () => {
    const response = await proc.app.inject({ method: 'GET', url: '/api/capabilities' });
    expect(response.statusCode).toBe(200);
    const manifest = response.json() as {
      services: string[];
      unavailable: unknown[];
      planes: Record<string, unknown>;
    };
    expect(manifest.unavailable).toEqual([]);
    expect(manifest.services).toEqual(
      expect.arrayContaining([
        'node/capabilities.getManifest',
        'python/get_capabilities',
        'python/diag.sleep',
      ]),
    );
  });

  it('GET /api/status answers the job state, 404 for an unknown id and 400 for a malformed one', async () => {
    const graph = {
      schema: 'langgraph.v1' as const,
      workflowId: `api-${Date.now().toString(36)}`,
      metadata: { pipeline: 'test', createdAt: new Date().toISOString() },
      nodes: [
        { id: 'a', name: 'a', service: 'diag.noop', plane: 'node' as const, status: 'pending' as const },
        { id: 'b', name: 'b', service: 'diag.noop', plane: 'python' as const, status: 'pending' as const },
      ],
      edges: [{ from: 'a', to: 'b' }],
    };
    await proc.bus.submit(graph, 'node');
    const record = await proc.hub.waitForTerminal(graph.workflowId, 5000);
    expect(record?.status).toBe('completed');
    const status = await proc.app.inject({ method: 'GET', url: `/api/status/${graph.workflowId}` });
    expect(status.statusCode).toBe(200);
    expect(status.json()).toMatchObject({
      jobId: graph.workflowId,
      status: 'completed',
      progress: 1,
      pipeline: 'test',
      nodes: [
        { id: 'a', status: 'completed', plane: 'node' },
        { id: 'b', status: 'completed', plane: 'python' },
      ],
    });
    const missing = await proc.app.inject({ method: 'GET', url: '/api/status/unknown-id' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({
      error: { code: 'JOB_NOT_FOUND', message: 'no job with id unknown-id' },
    });
    const malformed = await proc.app.inject({ method: 'GET', url: `/api/status/${'x'.repeat(65)}` });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('SCHEMA_INVALID');
  });

  it('shows a queued job its place in the queue', async () => {
    // A job on a plane with no ready consumer capacity: block the data executor with a long node first.
    const long = {
      schema: 'langgraph.v1' as const,
      workflowId: `api-long-${Date.now().toString(36)}`,
      nodes: [
        {
          id: 'z',
          name: 'z',
          service: 'diag.sleep',
          plane: 'python' as const,
          status: 'pending' as const,
          params: { ms: 1500 },
        },
      ],
      edges: [],
    };
    const waiting = { ...long, workflowId: `api-wait-${Date.now().toString(36)}` };
    await proc.bus.submit(long, 'python');
    for (let i = 0; i < 50 && proc.data?.busy === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await proc.bus.submit(waiting, 'python');
    const status = await proc.app.inject({ method: 'GET', url: `/api/status/${waiting.workflowId}` });
    expect(status.json()).toMatchObject({ status: 'queued', queuePosition: 0 });
    expect((await proc.hub.waitForTerminal(waiting.workflowId, 10_000))?.status).toBe('completed');
  });

  it('answers unknown routes with the JSON error format', async () => {
    const response = await proc.app.inject({ method: 'GET', url: '/nope' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: { code: 'ROUTE_NOT_FOUND', message: 'no route for GET /nope' },
    });
  });

  it('GET /metrics exposes myspinbot_ metrics in the Prometheus text format', async () => {
    const response = await proc.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/text\/plain/);
    expect(response.body).toMatch(
      /myspinbot_jobs_finished_total\{status="completed",pipeline="capabilities"\}/,
    );
    expect(response.body).toMatch(
      /myspinbot_http_request_duration_seconds_bucket\{.*route="\/api\/capabilities"/,
    );
    expect(response.body).toMatch(/myspinbot_process_cpu_seconds_total/);
    expect(response.body).toMatch(/myspinbot_stream_pending\{plane="python"\} 0/);
  });
});
