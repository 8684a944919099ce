/**
 * When a node may run: every upstream node (over edges of any kind) is completed or skipped.
 */
import type { NodeStatus, WorkflowGraph } from '@myspinbot/contracts';
import { type GraphIndex, nodesById } from './graph-index.js';

/** A dependency on a node is satisfied once it completed, or was skipped (for example an optional node). */
export function satisfiesDependents(status: NodeStatus): boolean {
  return status === 'completed' || status === 'skipped';
}

/** Whether a node still waits to run: pending or ready. */
export function isWaiting(status: NodeStatus): boolean {
  return status === 'pending' || status === 'ready';
}

/** True when every upstream node of `nodeId` satisfies its dependents. */
export function dependenciesSatisfied(index: GraphIndex, nodeId: string): boolean {
  for (const edge of index.incoming.get(nodeId) ?? []) {
    const upstream = index.byId.get(edge.from);
    if (upstream === undefined || !satisfiesDependents(upstream.status)) return false;
  }
  return true;
}

/**
 * Ids of the nodes with an upstream node that does not yet satisfy its dependents: the complement of
 * dependenciesSatisfied over the whole graph in one pass (the first node of each id counts; edges naming a
 * missing node are ignored, as in indexGraph).
 */
export function blockedNodes(graph: WorkflowGraph): Set<string> {
  const byId = nodesById(graph);
  const blocked = new Set<string>();
  for (const edge of graph.edges) {
    const upstream = byId.get(edge.from);
    if (upstream === undefined || !byId.has(edge.to)) continue;
    if (!satisfiesDependents(upstream.status)) blocked.add(edge.to);
  }
  return blocked;
}
