import { MySpinBotError } from '@myspinbot/contracts';
import { describe, expect, it } from 'vitest';
import { nextPlane, readyNodes, topologicalOrder } from '../src/index.js';
import { graphOf, node } from './fixtures.js';

describe('topologicalOrder', () => {
  it('keeps graph order among nodes free to go', () => {
    const graph = graphOf(
      [node('d'), node('c'), node('b'), node('a')],
      [
        { from: 'a', to: 'd' },
        { from: 'b', to: 'c', kind: 'order' },
      ],
    );
    expect(topologicalOrder(graph)).toEqual(['b', 'c', 'a', 'd']);
  });

  it('throws GRAPH_CYCLE naming a node on the cycle, not one downstream of it', () => {
    const graph = graphOf(
      [node('a'), node('b'), node('c'), node('d')],
      [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
        { from: 'c', to: 'b', kind: 'order' },
        { from: 'c', to: 'd' },
      ],
    );
    expect(() => topologicalOrder(graph)).toThrowError(MySpinBotError);
    try {
      topologicalOrder(graph);
    } catch (error) {
      expect(error).toMatchObject({ code: 'GRAPH_CYCLE', details: { nodeId: 'b', cycle: ['b', 'c', 'b'] } });
      expect((error as Error).message).toContain('b -> c -> b');
    }
  });
});

describe('topologicalOrder reuse across versions of a graph', () => {
  it('follows the nodes when a graph shares its edge list with an earlier one', () => {
    const edges = [{ from: 'a', to: 'd' }];
    const first = graphOf([node('a'), node('b'), node('d')], edges);
    expect(topologicalOrder(first)).toEqual(['a', 'b', 'd']);
    // Same edge list, nodes reordered and one added: the cached order must not be reused.
    const second = { ...first, nodes: [node('b'), node('c'), node('a'), node('d')] };
    expect(topologicalOrder(second)).toEqual(['b', 'c', 'a', 'd']);
    expect(topologicalOrder(first)).toEqual(['a', 'b', 'd']);
  });

  it('returns a copy callers may change', () => {
    const graph = graphOf([node('a'), node('b')], [{ from: 'a', to: 'b' }]);
    topologicalOrder(graph).reverse();
    expect(topologicalOrder(graph)).toEqual(['a', 'b']);
  });
});

describe('readyNodes and nextPlane', () => {
  const graph = graphOf(
    [
      node('py', { plane: 'python' }),
      node('a', { status: 'completed' }),
      node('b', { status: 'skipped' }),
      node('c'),
      node('d', { status: 'ready' }),
      node('e', { status: 'running' }),
    ],
    [
      { from: 'a', to: 'c' },
      { from: 'b', to: 'c', kind: 'order' },
      { from: 'c', to: 'py' },
      { from: 'e', to: 'd' },
    ],
  );

  it('returns waiting nodes whose upstream completed or was skipped, in topological order', () => {
    expect(readyNodes(graph).map((n) => n.id)).toEqual(['c']);
    const later = {
      ...graph,
      nodes: graph.nodes.map((n) => (n.id === 'c' ? { ...n, status: 'completed' as const } : n)),
    };
    expect(readyNodes(later).map((n) => n.id)).toEqual(['py']);
    expect(readyNodes(later, 'node')).toEqual([]);
    expect(nextPlane(later)).toBe('python');
  });

  it('returns nothing once a node failed or was cancelled', () => {
    for (const status of ['failed', 'cancelled'] as const) {
      const halted = { ...graph, nodes: [...graph.nodes, node('z', { status })] };
      expect(readyNodes(halted)).toEqual([]);
      expect(nextPlane(halted)).toBeNull();
    }
  });
});
