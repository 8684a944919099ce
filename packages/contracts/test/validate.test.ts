import { describe, expect, it } from 'vitest';
import {
  busConfigValidator,
  graphValidator,
  jobEventValidator,
  MySpinBotError,
  toNodeError,
} from '../src/index.js';

const graph = {
  schema: 'langgraph.v1',
  workflowId: 'job-1',
  nodes: [{ id: 'a', name: 'A', service: 'x', plane: 'node', status: 'pending' }],
  edges: [],
};

describe('graph validator', () => {
  it('accepts a minimal graph', () => {
    expect(graphValidator.problems(graph)).toEqual([]);
  });

  it('names the offending path and keyword', () => {
    const bad = { ...graph, nodes: [{ ...graph.nodes[0], plane: 'gpu' }] };
    const problems = graphValidator.problems(bad);
    expect(problems.some((p) => p.startsWith('/nodes/0/plane'))).toBe(true);
    expect(() => graphValidator.parse(bad)).toThrowError(MySpinBotError);
    try {
      graphValidator.parse(bad);
    } catch (e) {
      expect((e as MySpinBotError).code).toBe('SCHEMA_INVALID');
    }
  });

  it('rejects unknown properties and a wrong schema tag', () => {
    expect(graphValidator.is({ ...graph, extra: 1 })).toBe(false);
    expect(graphValidator.is({ ...graph, schema: 'langgraph.v2' })).toBe(false);
    expect(graphValidator.is({ ...graph, workflowId: '../etc' })).toBe(false);
  });
});

describe('job events', () => {
  it('requires the fields of each event type', () => {
    const at = new Date().toISOString();
    expect(jobEventValidator.is({ type: 'status', jobId: 'j', at, status: 'running', progress: 0 })).toBe(
      true,
    );
    expect(jobEventValidator.is({ type: 'status', jobId: 'j', at })).toBe(false);
    expect(jobEventValidator.is({ type: 'progress', jobId: 'j', at, progress: 0.5 })).toBe(false);
    expect(jobEventValidator.is({ type: 'data', jobId: 'j', at, nodeId: 'n', key: 'k', value: [1] })).toBe(
      true,
    );
  });
});

describe('bus config', () => {
  it('rejects a prefix with spaces', () => {
    expect(busConfigValidator.problems({ prefix: 'a b' }).length).toBeGreaterThan(0);
  });
});

describe('toNodeError', () => {
  it('keeps codes and maps unknown throws to SERVICE_FAILED', () => {
    expect(toNodeError(new MySpinBotError('NODE_TIMEOUT', 't'))).toEqual({
      code: 'NODE_TIMEOUT',
      message: 't',
      retryable: true,
    });
    expect(toNodeError(new TypeError('boom')).code).toBe('SERVICE_FAILED');
    expect(toNodeError('str').message).toBe('str');
    expect(toNodeError(Object.assign(new Error('x'), { code: 'ENGINE_UNAVAILABLE' })).code).toBe(
      'ENGINE_UNAVAILABLE',
    );
  });
});
