import { MySpinBotError, type WorkflowGraph } from '@myspinbot/contracts';
import { describe, expect, it } from 'vitest';
import {
  applyNodeResult,
  cancelGraph,
  finalizeGraph,
  getNode,
  jobProgress,
  prepareRetry,
  refreshReady,
  reportNodeProgress,
  resolveInput,
  startNode,
} from '../src/index.js';
import { deepFreeze, failure, graphOf, node, T0 } from './fixtures.js';

const at = (seconds: number): Date => new Date(T0 + seconds * 1000);
const statuses = (graph: WorkflowGraph): Record<string, string> =>
  Object.fromEntries(graph.nodes.map((n) => [n.id, n.status]));

/** a -> b (data), a -> c (order), b -> d (data as 'clip'). */
const chain = deepFreeze(
  graphOf(
    [node('a'), node('b'), node('c', { plane: 'python' }), node('d', { input: { clip: 'static', keep: 1 } })],
    [
      { from: 'a', to: 'b' },
      { from: 'a', to: 'c', kind: 'order' },
      { from: 'b', to: 'd', as: 'clip' },
    ],
  ),
);

describe('refreshReady', () => {
  it('marks waiting nodes ready or pending by their dependencies', () => {
    const graph = refreshReady(chain);
    expect(statuses(graph)).toEqual({ a: 'ready', b: 'pending', c: 'pending', d: 'pending' });
    expect(refreshReady(graph)).toBe(graph);
  });
});

describe('startNode', () => {
  it('starts a new attempt with fresh progress, error, output and timings', () => {
    const stale = graphOf([
      node('a', {
        status: 'running',
        attempts: 1,
        progress: 0.7,
        error: failure,
        output: { x: 1 },
        timings: { startedAt: at(0).toISOString(), finishedAt: at(1).toISOString(), durationMs: 1000 },
      }),
    ]);
    expect(getNode(startNode(stale, 'a', at(5)), 'a')).toEqual({
      ...node('a'),
      status: 'running',
      attempts: 2,
      progress: 0,
      error: null,
      output: null,
      timings: { startedAt: at(5).toISOString() },
    });
  });

  it('leaves a settled node as it is, and throws NODE_INPUT_INVALID for an unknown id', () => {
    const cancelled = cancelGraph(chain, at(1));
    expect(startNode(cancelled, 'a', at(2))).toBe(cancelled);
    expect(() => startNode(chain, 'nope', at(0))).toThrowError(MySpinBotError);
    expect(() => startNode(chain, 'nope', at(0))).toThrowError(/no node "nope"/);
  });
});

describe('reportNodeProgress', () => {
  const running = startNode(chain, 'a', at(0));
  const progressOf = (graph: WorkflowGraph): number | undefined => getNode(graph, 'a').progress;

  it('clamps into [0, 1] and never goes down', () => {
    const half = reportNodeProgress(running, 'a', 0.5);
    expect(progressOf(half)).toBe(0.5);
    expect(reportNodeProgress(half, 'a', 0.2)).toBe(half);
    expect(reportNodeProgress(half, 'a', Number.NaN)).toBe(half);
    expect(progressOf(reportNodeProgress(half, 'a', 7))).toBe(1);
    expect(reportNodeProgress(running, 'a', -3)).toBe(running);
  });

  it('ignores nodes that are not running', () => {
    expect(reportNodeProgress(chain, 'b', 0.5)).toBe(chain);
  });
});

describe('applyNodeResult', () => {
  const running = reportNodeProgress(startNode(chain, 'a', at(0)), 'a', 0.4);

  it('completes a node with its output and duration, and readies its dependents', () => {
    const done = applyNodeResult(running, 'a', { ok: true, output: { text: 'hi' } }, at(3));
    expect(getNode(done, 'a')).toMatchObject({
      status: 'completed',
      output: { text: 'hi' },
      progress: 1,
      error: null,
      timings: { startedAt: at(0).toISOString(), finishedAt: at(3).toISOString(), durationMs: 3000 },
    });
    expect(statuses(done)).toMatchObject({ b: 'ready', c: 'ready', d: 'pending' });
  });

  it('fails a node with its error, keeping its progress', () => {
    const failed = applyNodeResult(running, 'a', { ok: false, error: failure }, at(2));
    expect(getNode(failed, 'a')).toMatchObject({
      status: 'failed',
      error: failure,
      output: null,
      progress: 0.4,
    });
    expect(getNode(failed, 'a').timings?.durationMs).toBe(2000);
  });

  it('counts a duration of 0 without a start time', () => {
    const noStart = graphOf([node('a', { status: 'running' })]);
    const done = applyNodeResult(noStart, 'a', { ok: true, output: {} }, at(9));
    expect(getNode(done, 'a').timings).toEqual({ finishedAt: at(9).toISOString(), durationMs: 0 });
  });

  it('ignores a late result for a node cancelled meanwhile', () => {
    const cancelled = cancelGraph(running, at(1), 'user left');
    expect(applyNodeResult(cancelled, 'a', { ok: true, output: {} }, at(2))).toBe(cancelled);
    expect(applyNodeResult(chain, 'a', { ok: true, output: {} }, at(2))).toBe(chain);
  });
});

describe('resolveInput', () => {
  it('overlays upstream outputs on static input, one slot per data edge', () => {
    let graph = applyNodeResult(startNode(chain, 'a', at(0)), 'a', { ok: true, output: { a: 1 } }, at(1));
    expect(resolveInput(graph, 'b')).toEqual({ a: { a: 1 } });
    expect(resolveInput(graph, 'c')).toEqual({});
    expect(resolveInput(graph, 'd')).toEqual({ clip: null, keep: 1 });
    graph = applyNodeResult(startNode(graph, 'b', at(1)), 'b', { ok: true, output: { v: 2 } }, at(2));
    expect(resolveInput(graph, 'd')).toEqual({ clip: { v: 2 }, keep: 1 });
  });

  it('gives null for a skipped upstream', () => {
    const graph = graphOf(
      [node('a', { status: 'skipped', output: { stale: true } }), node('b')],
      [{ from: 'a', to: 'b' }],
    );
    expect(resolveInput(graph, 'b')).toEqual({ a: null });
  });
});

describe('cancelGraph', () => {
  it('cancels every unsettled node and keeps settled ones', () => {
    let graph = applyNodeResult(startNode(chain, 'a', at(0)), 'a', { ok: true, output: {} }, at(1));
    graph = startNode(graph, 'b', at(2));
    const cancelled = cancelGraph(graph, at(4));
    expect(statuses(cancelled)).toEqual({ a: 'completed', b: 'cancelled', c: 'cancelled', d: 'cancelled' });
    const error = { code: 'NODE_CANCELLED', message: 'cancelled by request', retryable: false };
    expect(getNode(cancelled, 'b')).toMatchObject({
      error,
      timings: { finishedAt: at(4).toISOString(), durationMs: 2000 },
    });
    expect(getNode(cancelled, 'c')).toMatchObject({ error });
    expect(getNode(cancelled, 'c').timings).toBeUndefined();
    expect(getNode(cancelGraph(graph, at(4), 'bye'), 'd').error?.message).toBe('bye');
    expect(cancelGraph(cancelled, at(5))).toBe(cancelled);
  });
});

describe('finalizeGraph', () => {
  const failed = applyNodeResult(startNode(chain, 'a', at(0)), 'a', { ok: false, error: failure }, at(1));

  it('skips what a failed job will never run, once nothing runs', () => {
    const final = finalizeGraph(failed);
    expect(statuses(final)).toEqual({ a: 'failed', b: 'skipped', c: 'skipped', d: 'skipped' });
    expect(getNode(final, 'd').error).toEqual({
      code: 'UPSTREAM_FAILED',
      message: 'not run: node a failed',
      retryable: true,
    });
  });

  it('waits for running nodes, and leaves a job that is not halted alone', () => {
    const parallel = graphOf([
      node('a', { status: 'failed', error: failure }),
      node('b', { status: 'running' }),
      node('c'),
    ]);
    expect(finalizeGraph(parallel)).toBe(parallel);
    expect(finalizeGraph(chain)).toBe(chain);
  });

  it('cancels what a cancelled job will never run', () => {
    const graph = graphOf([node('a', { status: 'cancelled' }), node('b')], [{ from: 'a', to: 'b' }]);
    expect(getNode(finalizeGraph(graph), 'b')).toMatchObject({
      status: 'cancelled',
      error: { code: 'NODE_CANCELLED' },
    });
  });
});

describe('prepareRetry', () => {
  it('resets failed, cancelled and knock-on skipped nodes, keeping completed and optional-skipped ones', () => {
    const graph = graphOf(
      [
        node('done', { status: 'completed', output: { ok: 1 }, progress: 1, attempts: 1 }),
        node('opt', { status: 'skipped' }),
        node('bad', {
          status: 'failed',
          error: failure,
          progress: 0.3,
          attempts: 2,
          timings: { durationMs: 5 },
        }),
        node('after', {
          status: 'skipped',
          error: { code: 'UPSTREAM_FAILED', message: 'x', retryable: true },
        }),
        node('stop', {
          status: 'cancelled',
          error: { code: 'NODE_CANCELLED', message: 'x', retryable: false },
        }),
      ],
      [
        { from: 'done', to: 'bad' },
        { from: 'bad', to: 'after' },
      ],
    );
    const retry = prepareRetry(deepFreeze(graph));
    expect(statuses(retry)).toEqual({
      done: 'completed',
      opt: 'skipped',
      bad: 'ready',
      after: 'pending',
      stop: 'ready',
    });
    expect(getNode(retry, 'bad')).toEqual({
      ...node('bad'),
      status: 'ready',
      error: null,
      output: null,
      progress: 0,
      attempts: 2,
    });
    expect(getNode(retry, 'done')).toBe(graph.nodes[0]);
  });
});

describe('progress of a failed job', () => {
  it('does not count nodes skipped after a failure as done', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    let graph: WorkflowGraph = {
      schema: 'langgraph.v1',
      workflowId: 'p',
      nodes: [
        { id: 'a', name: 'a', service: 's', plane: 'node', status: 'pending' },
        { id: 'b', name: 'b', service: 's', plane: 'node', status: 'pending' },
        { id: 'c', name: 'c', service: 's', plane: 'node', status: 'pending' },
        { id: 'd', name: 'd', service: 's', plane: 'node', status: 'pending' },
      ],
      edges: [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
        { from: 'c', to: 'd' },
      ],
    };
    graph = applyNodeResult(startNode(graph, 'a', at), 'a', { ok: true, output: {} }, at);
    graph = applyNodeResult(
      startNode(graph, 'b', at),
      'b',
      { ok: false, error: { code: 'X_Y', message: 'm', retryable: false } },
      at,
    );
    const before = jobProgress(graph);
    const after = jobProgress(finalizeGraph(graph));
    expect(before).toBe(0.25);
    expect(after).toBe(0.25);
  });
});
