/**
 * Topological order. Among the nodes whose upstream nodes are all placed, the one earliest in
 * `graph.nodes` goes next, so the order is deterministic and a graph listed in dependency order keeps it.
 */
import { type GraphNode, MySpinBotError, type WorkflowGraph } from '@myspinbot/contracts';
import { findCycles, formatCycle } from './cycles.js';
import { indexGraph } from './graph-index.js';

/** Node ids in topological order; a cycle throws MySpinBotError GRAPH_CYCLE naming a node on it. */
export function topologicalOrder(graph: WorkflowGraph): string[] {
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
  const index = indexGraph(graph);
  return topologicalOrder(graph).flatMap((id) => {
    const node = index.byId.get(id);
    return node === undefined ? [] : [node];
  });
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
