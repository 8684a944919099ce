/**
 * Topological order. Among the nodes whose upstream nodes are all placed, the one earliest in
 * `graph.nodes` goes next, so the order is deterministic and a graph listed in dependency order keeps it.
 */
import { type GraphNode, MySpinBotError, type WorkflowGraph } from '@myspinbot/contracts';
import { findCycles, formatCycle } from './cycles.js';
import { indexGraph, nodesById } from './graph-index.js';

interface CachedOrder {
  readonly ids: string;
  readonly edgeCount: number;
  readonly order: readonly string[];
}

/**
 * Orders already computed, keyed by the edge list. Graphs are copy-on-write (graph-edit.ts): the edge list of
 * a job's graph is shared by every version of it, and a cached order is reused only while the node ids (in
 * order) and the edge count are the ones it was computed for.
 */
const orderCache = new WeakMap<readonly object[], CachedOrder>();

function idsKey(graph: WorkflowGraph): string {
  let key = '';
  for (const node of graph.nodes) key += `${node.id}\u0000`;
  return key;
}

/** Node ids in topological order; a cycle throws MySpinBotError GRAPH_CYCLE naming a node on it. */
export function topologicalOrder(graph: WorkflowGraph): string[] {
  const ids = idsKey(graph);
  const cached = orderCache.get(graph.edges);
  if (cached !== undefined && cached.ids === ids && cached.edgeCount === graph.edges.length) {
    return [...cached.order];
  }
  const order = computeOrder(graph);
  orderCache.set(graph.edges, { ids, edgeCount: graph.edges.length, order });
  return [...order];
}

function computeOrder(graph: WorkflowGraph): string[] {
  const index = indexGraph(graph);
  const ids = [...index.byId.keys()];
  const rank = new Map(ids.map((id, i) => [id, i]));
  const waitingOn = new Map(ids.map((id) => [id, index.incoming.get(id)?.length ?? 0]));
  // Ranks of the nodes free to go, kept ascending so the earliest in graph.nodes is taken first.
  const free = ids.flatMap((id, i) => (waitingOn.get(id) === 0 ? [i] : []));
  const order: string[] = [];
  for (let i = free.shift(); i !== undefined; i = free.shift()) {
    const id = ids[i];
    if (id === undefined) continue;
    order.push(id);
    for (const edge of index.outgoing.get(id) ?? []) {
      const left = (waitingOn.get(edge.to) ?? 0) - 1;
      waitingOn.set(edge.to, left);
      if (left === 0) insertAscending(free, rank.get(edge.to) ?? 0);
    }
  }
  if (order.length < ids.length) throw cycleError(graph);
  return order;
}

/** The graph's nodes (the first of each id) in topological order. */
export function nodesInOrder(graph: WorkflowGraph): GraphNode[] {
  const byId = nodesById(graph);
  const nodes: GraphNode[] = [];
  for (const id of topologicalOrder(graph)) {
    const node = byId.get(id);
    if (node !== undefined) nodes.push(node);
  }
  return nodes;
}

function insertAscending(list: number[], value: number): void {
  const at = list.findIndex((v) => v > value);
  if (at < 0) list.push(value);
  else list.splice(at, 0, value);
}

function cycleError(graph: WorkflowGraph): MySpinBotError {
  const path = findCycles(graph)[0]?.path ?? [];
  return new MySpinBotError('GRAPH_CYCLE', `workflow ${graph.workflowId} has a cycle: ${formatCycle(path)}`, {
    details: { workflowId: graph.workflowId, nodeId: path[0], cycle: path },
  });
}
