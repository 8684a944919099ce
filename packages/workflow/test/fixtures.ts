/**
 * Test helpers: small graph builders, deep freezing, a random-DAG arbitrary and a run simulator.
 */
import type { GraphEdge, GraphNode, NodeError, Plane, WorkflowGraph } from '@myspinbot/contracts';
import fc from 'fast-check';
import { expect } from 'vitest';
import {
  applyNodeResult,
  getNode,
  jobProgress,
  nextPlane,
  readyNodes,
  refreshReady,
  reportNodeProgress,
  resolveInput,
  startNode,
} from '../src/index.js';

export const T0 = Date.UTC(2025, 0, 1);
export const CREATED_AT = new Date(T0).toISOString();

export function node(id: string, extra: Partial<GraphNode> = {}): GraphNode {
  return { id, name: id.toUpperCase(), service: `svc_${id}`, plane: 'node', status: 'pending', ...extra };
}

export function graphOf(nodes: GraphNode[], edges: GraphEdge[] = []): WorkflowGraph {
  return {
    schema: 'langgraph.v1',
    workflowId: 'job-1',
    metadata: { pipeline: 'test', createdAt: CREATED_AT },
    nodes,
    edges,
  };
}

/** Freezes the value and everything reachable from it, so any mutation throws (ESM code is strict). */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

export const failure: NodeError = { code: 'SERVICE_FAILED', message: 'boom', retryable: false };

/** A random DAG and each node's rank in the random permutation that orients its edges. */
export interface Dag {
  graph: WorkflowGraph;
  rank: ReadonlyMap<string, number>;
}

const SLOTS = ['x', 'y', 'z'] as const;

interface RawEdge {
  a: number;
  b: number;
  kind: 'data' | 'order' | undefined;
  as: (typeof SLOTS)[number] | undefined;
}

/**
 * Random DAGs of 1..30 nodes on random planes; edges only go from lower to higher rank in a random
 * permutation, so the graph is acyclic. Kinds are random (sometimes absent) and `as` slots never collide.
 * Nodes may carry static input whose keys overlap the slots.
 */
export const dagArb: fc.Arbitrary<Dag> = fc.integer({ min: 1, max: 30 }).chain((n) =>
  fc
    .record({
      perm: fc.shuffledSubarray(
        Array.from({ length: n }, (_, i) => i),
        { minLength: n, maxLength: n },
      ),
      planes: fc.array(fc.constantFrom<Plane>('node', 'python'), { minLength: n, maxLength: n }),
      weights: fc.array(fc.option(fc.constantFrom(0, 0.5, 1, 3), { nil: undefined }), {
        minLength: n,
        maxLength: n,
      }),
      inputs: fc.array(
        // Plain objects, like parsed JSON (fc.dictionary builds null-prototype ones).
        fc.option(
          fc.dictionary(fc.constantFrom('x', 'n0', 'n1', 'prompt'), fc.integer()).map((d) => ({ ...d })),
          { nil: undefined },
        ),
        { minLength: n, maxLength: n },
      ),
      edges: fc.array(
        fc.record({
          a: fc.nat(n - 1),
          b: fc.nat(n - 1),
          kind: fc.constantFrom<RawEdge['kind']>(undefined, 'data', 'order'),
          as: fc.option(fc.constantFrom(...SLOTS), { nil: undefined }),
        }),
        { maxLength: 2 * n },
      ),
    })
    .map(({ perm, planes, weights, inputs, edges }) => {
      const ids = Array.from({ length: n }, (_, i) => `n${i}`);
      const rank = new Map(perm.map((i, r) => [`n${i}`, r]));
      const nodes = ids.map((id, i) =>
        node(id, {
          plane: planes[i] ?? 'node',
          ...(weights[i] === undefined ? {} : { progressWeight: weights[i] }),
          ...(inputs[i] === undefined ? {} : { input: inputs[i] }),
        }),
      );
      return { graph: graphOf(nodes, orient(edges, ids, rank)), rank };
    }),
);

function orient(
  raw: readonly RawEdge[],
  ids: readonly string[],
  rank: ReadonlyMap<string, number>,
): GraphEdge[] {
  const slots = new Set<string>();
  const edges: GraphEdge[] = [];
  for (const { a, b, kind, as } of raw) {
    const [x, y] = [ids[a], ids[b]];
    if (x === undefined || y === undefined || x === y) continue;
    const [from, to] = (rank.get(x) ?? 0) < (rank.get(y) ?? 0) ? [x, y] : [y, x];
    if (kind === 'order') {
      edges.push({ from, to, kind });
      continue;
    }
    // A data edge takes its `as` slot, else the default slot, else becomes an order edge.
    const slot = [as, from].find((s) => s !== undefined && !slots.has(`${to}/${s}`));
    if (slot === undefined) {
      edges.push({ from, to, kind: 'order' });
      continue;
    }
    slots.add(`${to}/${slot}`);
    edges.push({
      from,
      to,
      ...(kind === undefined ? {} : { kind }),
      ...(slot === from ? {} : { as: slot }),
    });
  }
  return edges;
}

/** Ids of the nodes on some path from `from` to `to` (both included). */
export function nodesBetween(graph: WorkflowGraph, from: string, to: string): Set<string> {
  const reach = (start: string, next: (e: GraphEdge) => [string, string]): Set<string> => {
    const seen = new Set([start]);
    const queue = [start];
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      for (const edge of graph.edges) {
        const [a, b] = next(edge);
        if (a === id && !seen.has(b)) {
          seen.add(b);
          queue.push(b);
        }
      }
    }
    return seen;
  };
  const down = reach(from, (e) => [e.from, e.to]);
  const up = reach(to, (e) => [e.to, e.from]);
  return new Set([...down].filter((id) => up.has(id)));
}

export interface RunOptions {
  /** This node fails instead of completing. */
  failNodeId?: string;
  /** Stop after this many start/result steps, possibly leaving nodes running. */
  stopAfter?: number;
}

export interface Run {
  graph: WorkflowGraph;
  /** Ids of the nodes started, in start order. */
  started: string[];
  /** Job progress after every step. */
  progress: number[];
}

/**
 * Runs the graph like the planes do: take the next plane, start its ready nodes, report progress, then
 * settle each with output { id } (or the failure). Every graph produced is deep-frozen before the next
 * call, so any mutation throws. Checks along the way that started nodes had their upstream settled and got
 * exactly their static input plus one slot per data edge.
 */
export function simulate(initial: WorkflowGraph, options: RunOptions = {}): Run {
  let graph = deepFreeze(refreshReady(deepFreeze(initial)));
  const started: string[] = [];
  const progress = [jobProgress(graph)];
  let steps = 0;
  let tick = 0;
  const clock = (): Date => new Date(T0 + 1000 * ++tick);
  const step = (next: WorkflowGraph): boolean => {
    graph = deepFreeze(next);
    progress.push(jobProgress(graph));
    steps += 1;
    return options.stopAfter !== undefined && steps >= options.stopAfter;
  };
  for (let plane = nextPlane(graph); plane !== null; plane = nextPlane(graph)) {
    expect(started.length).toBeLessThan(initial.nodes.length);
    const batch = readyNodes(graph, plane);
    expect(batch.length).toBeGreaterThan(0);
    for (const { id, plane: nodePlane } of batch) {
      expect(nodePlane).toBe(plane);
      expect(unsettledUpstream(graph, id)).toEqual([]);
      expect(resolveInput(graph, id)).toEqual(expectedInput(graph, id));
      started.push(id);
      if (step(startNode(graph, id, clock()))) return { graph, started, progress };
    }
    for (const { id } of batch) {
      graph = deepFreeze(reportNodeProgress(graph, id, 0.5));
      const result =
        id === options.failNodeId
          ? { ok: false as const, error: failure }
          : { ok: true as const, output: { id } };
      if (step(applyNodeResult(graph, id, result, clock()))) return { graph, started, progress };
    }
  }
  return { graph, started, progress };
}

/** Static input, then for each data edge the upstream output ({ id } in simulations) under its slot. */
function expectedInput(graph: WorkflowGraph, id: string): Record<string, unknown> {
  const expected: Record<string, unknown> = { ...getNode(graph, id).input };
  for (const edge of graph.edges) {
    if (edge.to === id && edge.kind !== 'order') expected[edge.as ?? edge.from] = { id: edge.from };
  }
  return expected;
}

/** Ids of the upstream nodes of `id` that have not completed (no node is skipped in simulations). */
function unsettledUpstream(graph: WorkflowGraph, id: string): string[] {
  return graph.edges
    .filter((e) => e.to === id && getNode(graph, e.from).status !== 'completed')
    .map((e) => e.from);
}
