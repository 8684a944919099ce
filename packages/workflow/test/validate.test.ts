import { MySpinBotError } from '@myspinbot/contracts';
import { describe, expect, it } from 'vitest';
import { assertValidGraph, type GraphProblem, validateGraph } from '../src/index.js';
import { graphOf, node } from './fixtures.js';

const codes = (problems: GraphProblem[]): string[] => problems.map((p) => p.code);

describe('validateGraph', () => {
  it('accepts a valid graph', () => {
    const graph = graphOf([node('a'), node('b', { plane: 'python' })], [{ from: 'a', to: 'b' }]);
    expect(
      validateGraph(graph, { jobId: 'job-1', services: { node: ['svc_a'], python: ['svc_b'] } }),
    ).toEqual([]);
    expect(() => assertValidGraph(graph)).not.toThrow();
  });

  it('reports a duplicate node id, naming it', () => {
    const problems = validateGraph(graphOf([node('a'), node('b'), node('a')]));
    expect(problems).toEqual([
      { code: 'GRAPH_DUPLICATE_NODE', message: expect.stringContaining('"a"'), nodeId: 'a' },
    ]);
  });

  it('reports an edge naming a missing node, with the edge', () => {
    const edge = { from: 'a', to: 'ghost' };
    const [problem, ...rest] = validateGraph(graphOf([node('a')], [edge]));
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ code: 'GRAPH_DANGLING_EDGE', edge, nodeId: 'a' });
    expect(problem?.message).toContain('"ghost"');
  });

  it('reports a self-loop as a cycle on that node', () => {
    const edge = { from: 'b', to: 'b', kind: 'order' as const };
    const problems = validateGraph(graphOf([node('a'), node('b')], [{ from: 'a', to: 'b' }, edge]));
    expect(problems).toEqual([
      {
        code: 'GRAPH_CYCLE',
        message: expect.stringContaining('b -> b'),
        nodeId: 'b',
        edge,
        cycle: ['b', 'b'],
      },
    ]);
  });

  it('reports a cycle with its path, starting on its first node in graph order', () => {
    const graph = graphOf(
      [node('x'), node('b'), node('a'), node('c')],
      [
        { from: 'x', to: 'a' },
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
        { from: 'c', to: 'a', kind: 'order' },
      ],
    );
    const problems = validateGraph(graph);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'GRAPH_CYCLE', nodeId: 'b', cycle: ['b', 'c', 'a', 'b'] });
    expect(problems[0]?.message).toContain('b -> c -> a -> b');
  });

  it('reports each separate cycle', () => {
    const graph = graphOf(
      [node('a'), node('b'), node('c'), node('d')],
      [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'a', kind: 'order' },
        { from: 'c', to: 'd' },
        { from: 'd', to: 'c', kind: 'order' },
      ],
    );
    expect(validateGraph(graph).map((p) => p.cycle)).toEqual([
      ['a', 'b', 'a'],
      ['c', 'd', 'c'],
    ]);
  });

  it('reports two data edges filling the same input slot', () => {
    const second = { from: 'b', to: 'c', as: 'a' };
    const graph = graphOf([node('a'), node('b'), node('c')], [{ from: 'a', to: 'c' }, second]);
    const problems = validateGraph(graph);
    expect(problems).toEqual([
      { code: 'GRAPH_DUPLICATE_INPUT', message: expect.stringContaining('"a"'), nodeId: 'c', edge: second },
    ]);
  });

  it('lets order edges and distinct slots share a target', () => {
    const graph = graphOf(
      [node('a'), node('b'), node('c')],
      [
        { from: 'a', to: 'c' },
        { from: 'a', to: 'c', as: 'again' },
        { from: 'b', to: 'c', kind: 'order', as: 'a' },
        { from: 'b', to: 'c', kind: 'order' },
      ],
    );
    expect(validateGraph(graph)).toEqual([]);
  });

  it('reports a service its plane does not advertise, naming node, service and plane', () => {
    const graph = graphOf([
      node('a', { service: 'script' }),
      node('b', { plane: 'python', service: 'render' }),
      node('c', { plane: 'python', service: 'train' }),
    ]);
    function* pythonServices(): Generator<string> {
      yield 'train';
    }
    const problems = validateGraph(graph, { services: { python: pythonServices() } });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'GRAPH_UNKNOWN_SERVICE', nodeId: 'b' });
    expect(problems[0]?.message).toMatch(/"b".*"render".*"python"/);
    expect(codes(validateGraph(graph, { services: { node: new Set(['other']) } }))).toEqual([
      'GRAPH_UNKNOWN_SERVICE',
    ]);
  });

  it('reports a workflowId that differs from the job id', () => {
    expect(codes(validateGraph(graphOf([node('a')]), { jobId: 'job-2' }))).toEqual(['GRAPH_ID_MISMATCH']);
    expect(validateGraph(graphOf([node('a')]), { jobId: 'job-1' })).toEqual([]);
  });

  it('reports every problem at once', () => {
    const graph = graphOf(
      [node('a'), node('a'), node('b'), node('c')],
      [
        { from: 'b', to: 'b' },
        { from: 'a', to: 'zz' },
        { from: 'a', to: 'c', as: 'in' },
        { from: 'b', to: 'c', as: 'in' },
      ],
    );
    expect(codes(validateGraph(graph, { jobId: 'other', services: { node: [] } }))).toEqual([
      'GRAPH_ID_MISMATCH',
      'GRAPH_DUPLICATE_NODE',
      'GRAPH_DANGLING_EDGE',
      'GRAPH_CYCLE',
      'GRAPH_DUPLICATE_INPUT',
      'GRAPH_UNKNOWN_SERVICE',
      'GRAPH_UNKNOWN_SERVICE',
      'GRAPH_UNKNOWN_SERVICE',
      'GRAPH_UNKNOWN_SERVICE',
    ]);
  });
});

describe('validateGraph on graphs of one structure', () => {
  it('still reports problems of a structure that differs from a sound one only in an edge slot', () => {
    const sound = graphOf(
      [node('a'), node('b'), node('c')],
      [
        { from: 'a', to: 'c', as: 'x' },
        { from: 'b', to: 'c', as: 'y' },
      ],
    );
    expect(validateGraph(sound)).toEqual([]);
    expect(validateGraph(sound)).toEqual([]);
    const clash = {
      ...sound,
      edges: [
        { from: 'a', to: 'c', as: 'x' },
        { from: 'b', to: 'c', as: 'x' },
      ],
    };
    expect(validateGraph(clash).map((p) => p.code)).toEqual(['GRAPH_DUPLICATE_INPUT']);
    expect(validateGraph(clash).map((p) => p.code)).toEqual(['GRAPH_DUPLICATE_INPUT']);
  });

  it('checks the job id of every graph, whatever its structure', () => {
    const graph = graphOf([node('a')], []);
    expect(validateGraph(graph, { jobId: graph.workflowId })).toEqual([]);
    expect(validateGraph(graph, { jobId: 'another' }).map((p) => p.code)).toEqual(['GRAPH_ID_MISMATCH']);
  });
});

describe('assertValidGraph', () => {
  it('throws the first problem, with every problem in details', () => {
    const graph = graphOf([node('a'), node('a')], [{ from: 'a', to: 'a' }]);
    let thrown: unknown;
    try {
      assertValidGraph(graph);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MySpinBotError);
    const error = thrown as MySpinBotError;
    expect(error.code).toBe('GRAPH_DUPLICATE_NODE');
    expect(error.message).toContain('"a"');
    expect(error.message).toContain('1 more problem');
    expect(error.details?.problems).toEqual(validateGraph(graph));
    expect(error.httpStatus).toBe(422);
  });
});
