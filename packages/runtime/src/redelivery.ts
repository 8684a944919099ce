import type { Plane, WorkflowGraph } from '@myspinbot/contracts';
import { refreshReady } from '@myspinbot/workflow';

/**
 * The graph to resume from when an entry is delivered again: nodes of `plane` that were running when the
 * previous consumer died start over (their outputs are idempotent); everything else is kept.
 */
export function resumableGraph(graph: WorkflowGraph, plane: Plane): WorkflowGraph {
  const nodes = graph.nodes.map((n) =>
    n.plane === plane && n.status === 'running' ? { ...n, status: 'pending' as const, progress: 0 } : n,
  );
  const [first, ...rest] = nodes;
  if (!first) return graph;
  return refreshReady({ ...graph, nodes: [first, ...rest] });
}
