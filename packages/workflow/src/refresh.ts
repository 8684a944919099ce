/**
 * Keeps 'ready' truthful: a pending node whose dependencies are satisfied is ready, and a ready node whose
 * dependencies are not (after prepareRetry) is pending again. Every update function ends with this.
 */
import type { WorkflowGraph } from '@myspinbot/contracts';
import { blockedNodes } from './dependencies.js';
import { mapNodes } from './graph-edit.js';

export function refreshReady(graph: WorkflowGraph): WorkflowGraph {
  // One pass is enough: pending and ready nodes never satisfy a dependency, so flipping them changes no other.
  const blocked = blockedNodes(graph);
  return mapNodes(graph, (node) => {
    if (node.status !== 'pending' && node.status !== 'ready') return node;
    const status = blocked.has(node.id) ? 'pending' : 'ready';
    return status === node.status ? node : { ...node, status };
  });
}
