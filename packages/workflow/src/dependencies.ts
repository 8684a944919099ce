/**
 * When a node may run: every upstream node (over edges of any kind) is completed or skipped.
 */
import type { NodeStatus } from '@myspinbot/contracts';
import type { GraphIndex } from './graph-index.js';

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
