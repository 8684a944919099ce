/**
 * A node's input: its static `input`, overlaid with one slot per incoming data edge holding the upstream
 * node's output (null when the upstream was skipped or has no output). Order edges carry nothing.
 */
import type { WorkflowGraph } from '@myspinbot/contracts';
import { edgeKind, getNode, indexGraph, inputSlot } from './graph-index.js';

/** Throws NODE_INPUT_INVALID for an unknown node id. */
export function resolveInput(graph: WorkflowGraph, nodeId: string): Record<string, unknown> {
  const node = getNode(graph, nodeId);
  const index = indexGraph(graph);
  const input: Record<string, unknown> = { ...node.input };
  for (const edge of index.incoming.get(nodeId) ?? []) {
    if (edgeKind(edge) !== 'data') continue;
    const upstream = index.byId.get(edge.from);
    input[inputSlot(edge)] =
      upstream === undefined || upstream.status === 'skipped' ? null : (upstream.output ?? null);
  }
  return input;
}
