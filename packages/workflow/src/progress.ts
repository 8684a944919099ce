/**
 * Job progress: the mean of node progress weighted by `progressWeight ?? 1` (equal weights when every
 * weight is 0). Completed nodes and nodes the planner skipped count 1; nodes skipped because an upstream
 * node failed or was cancelled (they carry an error) count 0, so a failed job does not jump towards 1;
 * pending and ready count 0; running, failed and cancelled their own progress. Always within [0, 1], and
 * exactly 1 once the job completed.
 */
import type { GraphNode, WorkflowGraph } from '@myspinbot/contracts';
import { jobStatusOf } from './job-status.js';

/** Clamps into [0, 1]; anything that is not a number (NaN) counts as 0. */
export function clampUnit(value: number): number {
  return Number.isNaN(value) ? 0 : Math.min(1, Math.max(0, value));
}

export function nodeProgress(node: GraphNode): number {
  switch (node.status) {
    case 'completed':
      return 1;
    case 'skipped':
      return node.error ? 0 : 1;
    case 'pending':
    case 'ready':
      return 0;
    default:
      return clampUnit(node.progress ?? 0);
  }
}

function weightOf(node: GraphNode): number {
  const weight = node.progressWeight ?? 1;
  return Number.isFinite(weight) && weight > 0 ? weight : 0;
}

export function jobProgress(graph: WorkflowGraph): number {
  if (jobStatusOf(graph) === 'completed') return 1;
  const weights = graph.nodes.map(weightOf);
  const total = weights.reduce((sum, w) => sum + w, 0);
  const weightAt = (i: number): number => (total > 0 ? (weights[i] ?? 0) : 1);
  const sum = graph.nodes.reduce((acc, node, i) => acc + weightAt(i) * nodeProgress(node), 0);
  const divisor = total > 0 ? total : graph.nodes.length;
  return divisor > 0 ? clampUnit(sum / divisor) : 0;
}
