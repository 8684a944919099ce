/**
 * The bus conformance suite: one behavioural contract, run against every Bus implementation.
 */
import type { JobEvent, Plane, WorkflowGraph } from '@myspinbot/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { statusEvent } from '../src/record.js';
import type { Bus, ControlMessage, Delivery, RecordUpdate } from '../src/types.js';

export interface BusFixture {
  bus: Bus;
  dispose(): Promise<void>;
}

/** Short timings so reclaim and TTL cases run quickly. */
export const CONFORMANCE_TIMINGS = {
  jobTtlSeconds: 60,
  visibilityTimeoutMs: 200,
  heartbeatIntervalMs: 50,
  reclaimIntervalMs: 50,
  maxDeliveries: 3,
  blockMs: 100,
  trimIntervalMs: 1000,
  resetCheckIntervalMs: 200,
};

let counter = 0;
export function makeGraph(planes: Plane[] = ['node', 'python']): WorkflowGraph {
  counter += 1;
  const jobId = `job-${process.pid}-${Date.now().toString(36)}-${counter}`;
  const nodes = planes.map((plane, i) => ({
    id: `n${i}`,
    name: `step ${i}`,
    service: plane === 'node' ? 'diag.noop' : 'diag.noop',
    plane,
    status: 'pending' as const,
  }));
  const edges = planes.slice(1).map((_, i) => ({ from: `n${i}`, to: `n${i + 1}` }));
  const [first, ...rest] = nodes;
  if (!first) throw new Error('a graph needs a node');
  return {
    schema: 'langgraph.v1',
    workflowId: jobId,
    metadata: { pipeline: 'test', createdAt: new Date().toISOString() },
    nodes: [first, ...rest],
    edges,
  };
}

function update(graph: WorkflowGraph, status: RecordUpdate['status'], progress: number): RecordUpdate {
  return { graph, status, progress, event: statusEvent(graph.workflowId, status, progress) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function readOne(bus: Bus, plane: Plane, consumer: string): Promise<Delivery> {
  for (let i = 0; i < 20; i++) {
    const [delivery] = await bus.read(plane, consumer, 1, 100);
    if (delivery) return delivery;
  }
  throw new Error(`nothing to read on ${plane}`);
}

async function collectEvents(bus: Bus): Promise<{ events: JobEvent[]; stop: () => Promise<void> }> {
  const events: JobEvent[] = [];
  const stop = await bus.subscribe((e) => events.push(e));
  return { events, stop };
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

export function runBusConformance(name: string, create: () => Promise<BusFixture>): void {
  describe(`Bus conformance: ${name}`, () => {
    let fixture: BusFixture;
    let bus: Bus;

    beforeEach(async () => {
      fixture = await create();
      bus = fixture.bus;
      await bus.init();
    });

    afterEach(async () => {
      await fixture.dispose();
    });

    it('claimOnce answers true to the first caller of a name only, until its ttl passed', async () => {
      const name = `claim-${Math.random().toString(36).slice(2)}`;
      const answers = await Promise.all([1, 2, 3, 4].map(() => bus.claimOnce(name, 1)));
      expect(answers.filter(Boolean)).toHaveLength(1);
      expect(await bus.claimOnce(name, 1)).toBe(false);
      expect(await bus.claimOnce(`${name}-other`, 1)).toBe(true);
      await new Promise((r) => setTimeout(r, 1_100));
      expect(await bus.claimOnce(name, 1)).toBe(true);
    });

    it('submit creates a queued record and one entry; a second submit changes nothing', async () => {
      const graph = makeGraph();
      const { events, stop } = await collectEvents(bus);
      expect(await bus.submit(graph, 'node')).toBe(true);
      expect(await bus.submit(graph, 'node')).toBe(false);
      const record = await bus.getJob(graph.workflowId);
      expect(record?.status).toBe('queued');
      expect(record?.graph?.workflowId).toBe(graph.workflowId);
      expect(record?.plane).toBe('node');
      expect(record?.cancelRequested).toBe(false);
      const delivery = await readOne(bus, 'node', 'c1');
      expect(delivery.fields.jobId).toBe(graph.workflowId);
      expect(JSON.parse(delivery.fields.graph ?? '')).toEqual(graph);
      expect(delivery.deliveries).toBe(1);
      expect(await bus.read('node', 'c1', 10, 50)).toEqual([]);
      await until(() => events.some((e) => e.jobId === graph.workflowId && e.status === 'queued'));
      await stop();
    });

    it('an empty read waits about blockMs and returns nothing', async () => {
      const started = Date.now();
      expect(await bus.read('python', 'c1', 1, 150)).toEqual([]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    });

    it('handoff persists, enqueues on the next plane, acks and publishes in one step', async () => {
      const graph = makeGraph();
      await bus.submit(graph, 'node');
      const delivery = await readOne(bus, 'node', 'c1');
      const { events, stop } = await collectEvents(bus);
      const next: WorkflowGraph = { ...graph, context: { step: 1 } };
      expect(await bus.handoff(delivery, 'python', update(next, 'running', 0.5))).toBe('ok');
      const record = await bus.getJob(graph.workflowId);
      expect(record?.status).toBe('running');
      expect(record?.progress).toBe(0.5);
      expect(record?.plane).toBe('python');
      expect(record?.graph?.context).toEqual({ step: 1 });
      expect((await bus.stats('node')).pending).toBe(0);
      const handed = await readOne(bus, 'python', 'w1');
      expect(JSON.parse(handed.fields.graph ?? '').context).toEqual({ step: 1 });
      expect(handed.fields.from).toBe('node');
      await until(() => events.some((e) => e.jobId === graph.workflowId && e.status === 'running'));
      // A second handoff of the same (now acknowledged) entry is refused.
      expect(await bus.handoff(delivery, 'python', update(next, 'running', 0.5))).toBe('lost');
      expect((await bus.stats('python')).lag).toBe(0);
      await stop();
    });

    it('a consumer that does not own the entry cannot hand it off, finish it or checkpoint it', async () => {
      const graph = makeGraph();
      await bus.submit(graph, 'node');
      const delivery = await readOne(bus, 'node', 'c1');
      const impostor: Delivery = { ...delivery, consumer: 'c2' };
      expect(await bus.handoff(impostor, 'python', update(graph, 'running', 0))).toBe('lost');
      expect(await bus.finish(impostor, update(graph, 'completed', 1))).toBe('lost');
      expect(await bus.checkpoint(impostor, update(graph, 'running', 0))).toBe('lost');
      expect(await bus.release(impostor, graph)).toBe('lost');
      expect((await bus.getJob(graph.workflowId))?.status).toBe('queued');
      expect((await bus.stats('node')).pending).toBe(1);
      expect((await bus.stats('python')).length).toBe(0);
    });

    it('reclaims an entry idle past the visibility timeout and counts the delivery', async () => {
      const graph = makeGraph();
      await bus.submit(graph, 'node');
      const first = await readOne(bus, 'node', 'crashed');
      expect(await bus.reclaim('node', 'rescuer', 150, 10)).toEqual([]);
      await sleep(220);
      const [reclaimed] = await bus.reclaim('node', 'rescuer', 150, 10);
      expect(reclaimed?.entryId).toBe(first.entryId);
      expect(reclaimed?.deliveries).toBe(2);
      expect(reclaimed?.consumer).toBe('rescuer');
      expect(reclaimed?.fields.jobId).toBe(graph.workflowId);
      // The crashed consumer lost its claim: its late transitions are refused.
      expect(await bus.finish(first, update(graph, 'completed', 1))).toBe('lost');
      if (!reclaimed) throw new Error('unreachable');
      expect(await bus.finish(reclaimed, update(graph, 'completed', 1))).toBe('ok');
      expect((await bus.stats('node')).pending).toBe(0);
      expect((await bus.getJob(graph.workflowId))?.status).toBe('completed');
    });

    it('heartbeats keep a claim; a heartbeat on a lost entry reports it', async () => {
      const graph = makeGraph();
      await bus.submit(graph, 'python');
      const delivery = await readOne(bus, 'python', 'w1');
      for (let i = 0; i < 5; i++) {
        await sleep(60);
        expect(await bus.heartbeat('python', 'w1', [delivery.entryId])).toEqual([delivery.entryId]);
        expect(await bus.reclaim('python', 'w2', 150, 10)).toEqual([]);
      }
      await sleep(200);
      expect((await bus.reclaim('python', 'w2', 150, 10)).map((d) => d.entryId)).toEqual([delivery.entryId]);
      expect(await bus.heartbeat('python', 'w1', [delivery.entryId])).toEqual([]);
    });

    it('finish writes the terminal state, acks and publishes; a deleted record is not re-created', async () => {
      const a = makeGraph();
      const b = makeGraph();
      await bus.submit(a, 'node');
      await bus.submit(b, 'node');
      const da = await readOne(bus, 'node', 'c1');
      const db = await readOne(bus, 'node', 'c1');
      const { events, stop } = await collectEvents(bus);
      const graphOf = (d: Delivery) => (d.fields.jobId === a.workflowId ? a : b);
      expect(await bus.finish(da, update(graphOf(da), 'completed', 1))).toBe('ok');
      await until(() => events.some((e) => e.jobId === da.fields.jobId && e.status === 'completed'));
      expect((await bus.getJob(da.fields.jobId ?? ''))?.status).toBe('completed');
      expect(await bus.deleteJob(db.fields.jobId ?? '')).toBe(true);
      expect(await bus.finish(db, update(graphOf(db), 'completed', 1))).toBe('ok');
      expect(await bus.getJob(db.fields.jobId ?? '')).toBeNull();
      expect((await bus.stats('node')).pending).toBe(0);
      await stop();
    });

    it('cancelling a queued job cancels it at once and tells the executors', async () => {
      const graph = makeGraph();
      await bus.submit(graph, 'node');
      const controls: ControlMessage[] = [];
      const stop = await bus.onControl((m) => controls.push(m));
      const record = await bus.requestCancel(graph.workflowId, 'user asked');
      expect(record?.status).toBe('cancelled');
      expect(record?.cancelRequested).toBe(true);
      expect(record?.graph?.nodes.every((n) => n.status === 'cancelled')).toBe(true);
      await until(() => controls.some((m) => m.jobId === graph.workflowId && m.type === 'cancel'));
      expect(await bus.requestCancel('no-such-job')).toBeNull();
      await stop();
    });

    it('cancelling a running job makes its next checkpoint and handoff report cancelled', async () => {
      const graph = makeGraph();
      await bus.submit(graph, 'node');
      const delivery = await readOne(bus, 'node', 'c1');
      expect(await bus.checkpoint(delivery, update(graph, 'running', 0.1))).toBe('ok');
      const record = await bus.requestCancel(graph.workflowId);
      expect(record?.status).toBe('running');
      expect(record?.cancelRequested).toBe(true);
      expect(await bus.checkpoint(delivery, update(graph, 'running', 0.2))).toBe('cancelled');
      expect(await bus.handoff(delivery, 'python', update(graph, 'running', 0.2))).toBe('cancelled');
      expect(await bus.finish(delivery, update(graph, 'cancelled', 0.2))).toBe('ok');
      expect((await bus.getJob(graph.workflowId))?.status).toBe('cancelled');
      // Cancelling a finished job changes nothing.
      expect((await bus.requestCancel(graph.workflowId))?.status).toBe('cancelled');
    });

    it('dead-letters an entry: acked, kept with its reason, and its job failed', async () => {
      const graph = makeGraph();
      await bus.submit(graph, 'python');
      const delivery = await readOne(bus, 'python', 'w1');
      const { events, stop } = await collectEvents(bus);
      await bus.deadLetter(delivery, { code: 'ENTRY_MALFORMED', message: 'bad graph', retryable: false });
      expect((await bus.stats('python')).pending).toBe(0);
      const [dead] = await bus.listDeadLetters(5);
      expect(dead?.jobId).toBe(graph.workflowId);
      expect(dead?.code).toBe('ENTRY_MALFORMED');
      expect(dead?.plane).toBe('python');
      expect(dead?.fields.jobId).toBe(graph.workflowId);
      const record = await bus.getJob(graph.workflowId);
      expect(record?.status).toBe('failed');
      expect(record?.error?.code).toBe('ENTRY_MALFORMED');
      await until(() => events.some((e) => e.jobId === graph.workflowId && e.status === 'failed'));
      await stop();
    });

    it('release gives the entry back for another consumer at once', async () => {
      const graph = makeGraph();
      await bus.submit(graph, 'python');
      const delivery = await readOne(bus, 'python', 'w1');
      expect(await bus.release(delivery, graph)).toBe('ok');
      const again = await readOne(bus, 'python', 'w2');
      expect(again.fields.jobId).toBe(graph.workflowId);
      expect(again.fields.from).toBe('release');
      expect((await bus.stats('python')).pending).toBe(1);
    });

    it('trim removes acknowledged entries only, never pending or undelivered ones', async () => {
      const graphs = [makeGraph(), makeGraph(), makeGraph(), makeGraph()];
      for (const g of graphs) await bus.submit(g, 'node');
      const d1 = await readOne(bus, 'node', 'c1');
      const d2 = await readOne(bus, 'node', 'c1');
      const d3 = await readOne(bus, 'node', 'c1');
      const byId = new Map(graphs.map((g) => [g.workflowId, g]));
      const g1 = byId.get(d1.fields.jobId ?? '');
      const g3 = byId.get(d3.fields.jobId ?? '');
      if (!g1 || !g3) throw new Error('unknown job');
      await bus.finish(d1, update(g1, 'completed', 1));
      await bus.finish(d3, update(g3, 'completed', 1));
      // d2 is pending, the 4th entry undelivered: only d1 may go.
      expect(await bus.trim('node')).toBe(1);
      expect((await bus.stats('node')).length).toBe(3);
      const [reclaimedD2] = await (async () => {
        await sleep(220);
        return bus.reclaim('node', 'c2', 150, 10);
      })();
      expect(reclaimedD2?.entryId).toBe(d2.entryId);
      const d4 = await readOne(bus, 'node', 'c1');
      expect(d4.fields.jobId).toBe(graphs[3]?.workflowId);
    });

    it('stats and queue positions describe the stream', async () => {
      const graphs = [makeGraph(), makeGraph(), makeGraph()];
      for (const g of graphs) await bus.submit(g, 'python');
      expect(await bus.queuePosition('python', graphs[2]?.workflowId ?? '')).toBe(2);
      await readOne(bus, 'python', 'w1');
      const stats = await bus.stats('python');
      expect(stats).toMatchObject({ plane: 'python', length: 3, pending: 1, lag: 2 });
      expect(stats.consumers).toBeGreaterThanOrEqual(1);
      expect(await bus.queuePosition('python', graphs[0]?.workflowId ?? '')).toBeNull();
      expect(await bus.queuePosition('python', graphs[2]?.workflowId ?? '')).toBe(1);
    });

    it('records expire after their TTL', async () => {
      const graph = makeGraph();
      await bus.submit(graph, 'node', { ttlSeconds: 1 });
      expect(await bus.getJob(graph.workflowId)).not.toBeNull();
      await sleep(1300);
      expect(await bus.getJob(graph.workflowId)).toBeNull();
    });

    it('reportProgress updates the record and publishes; requeue re-creates a lost record', async () => {
      const graph = makeGraph();
      await bus.submit(graph, 'node');
      const { events, stop } = await collectEvents(bus);
      await bus.reportProgress({
        type: 'progress',
        jobId: graph.workflowId,
        at: new Date().toISOString(),
        progress: 0.25,
        nodeId: 'n0',
        nodeProgress: 0.5,
      });
      expect((await bus.getJob(graph.workflowId))?.progress).toBe(0.25);
      await until(() => events.some((e) => e.type === 'progress' && e.jobId === graph.workflowId));
      await bus.deleteJob(graph.workflowId);
      await bus.requeue(graph, 'python', update(graph, 'running', 0.3));
      const record = await bus.getJob(graph.workflowId);
      expect(record?.status).toBe('running');
      expect(record?.plane).toBe('python');
      const entry = await readOne(bus, 'python', 'w1');
      expect(entry.fields.from).toBe('requeue');
      await stop();
    });

    it('progress reported for a job without a record creates none (its job can still be submitted)', async () => {
      const graph = makeGraph();
      const { events, stop } = await collectEvents(bus);
      await bus.reportProgress({
        type: 'progress',
        jobId: graph.workflowId,
        at: new Date().toISOString(),
        progress: 0.5,
        nodeId: 'n0',
        nodeProgress: 0.5,
      });
      await until(() => events.some((e) => e.type === 'progress' && e.jobId === graph.workflowId));
      expect(await bus.getJob(graph.workflowId)).toBeNull();
      expect(await bus.submit(graph, 'node')).toBe(true);
      expect((await bus.getJob(graph.workflowId))?.status).toBe('queued');
      await stop();
    });

    it('retry re-queues a failed or cancelled job with its cancel flag cleared, and nothing else', async () => {
      const graph = makeGraph();
      await bus.submit(graph, 'node');
      expect(await bus.retry(graph, 'node')).toBe(false);
      await bus.requestCancel(graph.workflowId);
      const stale = await readOne(bus, 'node', 'c1');
      await bus.finish(stale, update(graph, 'cancelled', 0));
      expect(await bus.retry(graph, 'python')).toBe(true);
      const record = await bus.getJob(graph.workflowId);
      expect(record).toMatchObject({
        status: 'queued',
        cancelRequested: false,
        error: null,
        plane: 'python',
      });
      const entry = await readOne(bus, 'python', 'w1');
      expect(entry.fields.from).toBe('retry');
      expect(await bus.checkpoint(entry, update(graph, 'running', 0.1))).toBe('ok');
      expect(await bus.retry(makeGraph(), 'node')).toBe(false);
    });

    it('ping answers while open', async () => {
      expect(await bus.ping()).toBe(true);
    });
  });
}
