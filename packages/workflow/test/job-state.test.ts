import { jobStateValidator, type NodeStatus } from '@myspinbot/contracts';
import { describe, expect, it } from 'vitest';
import {
  applyNodeResult,
  cancelGraph,
  failureOf,
  isTerminal,
  jobProgress,
  jobStateOf,
  jobStatusOf,
  startNode,
} from '../src/index.js';
import { CREATED_AT, failure, graphOf, node, T0 } from './fixtures.js';

const withStatuses = (...statuses: NodeStatus[]) =>
  graphOf(statuses.map((status, i) => node(`n${i}`, { status, progress: 0.5 })));

describe('jobStatusOf and isTerminal', () => {
  it.each<[NodeStatus[], string, boolean]>([
    [['pending', 'ready'], 'queued', false],
    [['completed', 'pending'], 'running', false],
    [['skipped', 'pending'], 'running', false],
    [['running', 'pending'], 'running', false],
    [['completed', 'skipped'], 'completed', true],
    [['completed', 'failed', 'cancelled'], 'failed', true],
    [['running', 'failed'], 'failed', false],
    [['completed', 'cancelled', 'pending'], 'cancelled', true],
  ])('%j -> %s (terminal: %s)', (statuses, status, terminal) => {
    const graph = withStatuses(...statuses);
    expect(jobStatusOf(graph)).toBe(status);
    expect(isTerminal(graph)).toBe(terminal);
  });
});

describe('jobProgress', () => {
  it('weights node progress by progressWeight', () => {
    const graph = graphOf([
      node('a', { status: 'completed', progressWeight: 3 }),
      node('b', { status: 'running', progress: 0.5, progressWeight: 1 }),
      node('c', { status: 'pending', progress: 0.9 }),
      node('d', { status: 'failed', progress: 0.25, progressWeight: 0 }),
    ]);
    expect(jobProgress(graph)).toBeCloseTo((3 + 0.5) / 5);
  });

  it('uses equal weights when every weight is 0, and is 1 once completed', () => {
    const zero = graphOf([
      node('a', { status: 'skipped', progressWeight: 0 }),
      node('b', { status: 'cancelled', progress: 0.5, progressWeight: 0 }),
    ]);
    expect(jobProgress(zero)).toBe(0.75);
    expect(jobProgress(withStatuses('completed', 'skipped'))).toBe(1);
    expect(jobProgress(withStatuses('pending'))).toBe(0);
  });
});

describe('failureOf', () => {
  it('names the first failed node in topological order', () => {
    const graph = graphOf(
      [
        node('late', { status: 'failed', error: { ...failure, message: 'late' } }),
        node('early', { status: 'failed', error: { ...failure, details: { why: 1 } } }),
        node('stop', { status: 'cancelled' }),
      ],
      [{ from: 'early', to: 'late', kind: 'order' }],
    );
    expect(failureOf(graph)).toEqual({ nodeId: 'early', ...failure, details: { why: 1 } });
  });

  it("falls back to the first cancelled node's error, and is undefined otherwise", () => {
    const cancelled = cancelGraph(graphOf([node('a')]), new Date(T0), 'stop');
    expect(failureOf(cancelled)).toEqual({
      nodeId: 'a',
      code: 'NODE_CANCELLED',
      message: 'stop',
      retryable: false,
    });
    expect(failureOf(withStatuses('completed', 'running'))).toBeUndefined();
  });
});

describe('jobStateOf', () => {
  const graph = graphOf(
    [node('a'), node('b', { plane: 'python', progressWeight: 3 })],
    [{ from: 'a', to: 'b' }],
  );
  const updatedAt = new Date(T0 + 60_000).toISOString();

  it('describes a queued job, valid for jobStateValidator', () => {
    const state = jobStateOf(graph, { updatedAt });
    expect(state).toEqual({
      jobId: 'job-1',
      status: 'queued',
      progress: 0,
      pipeline: 'test',
      currentPlane: 'node',
      createdAt: CREATED_AT,
      updatedAt,
      nodes: [
        { id: 'a', name: 'A', service: 'svc_a', plane: 'node', status: 'pending', progress: 0 },
        { id: 'b', name: 'B', service: 'svc_b', plane: 'python', status: 'pending', progress: 0 },
      ],
    });
    expect(jobStateValidator.problems(state)).toEqual([]);
  });

  it('names the running node and its plane, and the failure once failed', () => {
    const started = startNode(
      applyNodeResult(startNode(graph, 'a', new Date(T0)), 'a', { ok: true, output: {} }, new Date(T0 + 1)),
      'b',
      new Date(T0 + 2),
    );
    const running = jobStateOf(started, { updatedAt, createdAt: updatedAt });
    expect(running).toMatchObject({
      status: 'running',
      currentPlane: 'python',
      currentNodeId: 'b',
      createdAt: updatedAt,
    });
    expect(running.progress).toBeCloseTo(0.25);
    expect(jobStateValidator.problems(running)).toEqual([]);

    const failed = jobStateOf(
      applyNodeResult(started, 'b', { ok: false, error: failure }, new Date(T0 + 3)),
      { updatedAt },
    );
    expect(failed).toMatchObject({ status: 'failed', error: { nodeId: 'b', code: 'SERVICE_FAILED' } });
    expect(failed).not.toHaveProperty('currentPlane');
    expect(failed).not.toHaveProperty('currentNodeId');
    expect(failed.nodes[1]).toMatchObject({ attempts: 1, error: failure, timings: { durationMs: 1 } });
    expect(jobStateValidator.problems(failed)).toEqual([]);
  });

  it('omits optional keys instead of setting them undefined', () => {
    const { metadata: _none, ...bare } = graph;
    const state = jobStateOf(bare, { updatedAt });
    expect(Object.keys(state).sort()).toEqual([
      'currentPlane',
      'jobId',
      'nodes',
      'progress',
      'status',
      'updatedAt',
    ]);
    expect(JSON.parse(JSON.stringify(state))).toStrictEqual(state);
    expect(jobStateValidator.problems(state)).toEqual([]);
  });
});
