/**
 * What runs next: pending or ready nodes whose dependencies are satisfied, in topological order. Nothing
 * runs next once the job is halted (a node failed or was cancelled).
 */
import type { GraphNode, Plane, WorkflowGraph } from '@myspinbot/contracts';
import { blockedNodes, isWaiting } from './dependencies.js';
import { isHalted } from './job-status.js';
import { nodesInOrder } from './order.js';

/** Nodes that may start now, optionally only those of one plane. Throws GRAPH_CYCLE on a cyclic graph. */
export function readyNodes(graph: WorkflowGraph, plane?: Plane): GraphNode[] {
  if (isHalted(graph)) return [];
  const blocked = blockedNodes(graph);
  return nodesInOrder(graph).filter(
    (node) =>
      isWaiting(node.status) && (plane === undefined || node.plane === plane) && !blocked.has(node.id),
  );
}

/** The plane of the first node that may start now, or null when none may. */
export function nextPlane(graph: WorkflowGraph): Plane | null {
  return readyNodes(graph)[0]?.plane ?? null;
}
