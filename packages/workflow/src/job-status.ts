/**
 * The job's status, derived from its nodes only:
 * failed if a node failed; else cancelled if a node was cancelled; else completed if every node completed
 * or was skipped; else running if a node is running, completed or skipped; else queued.
 */
import type { JobStatus, WorkflowGraph } from '@myspinbot/contracts';

export function jobStatusOf(graph: WorkflowGraph): JobStatus {
  const statuses = graph.nodes.map((node) => node.status);
  if (statuses.includes('failed')) return 'failed';
  if (statuses.includes('cancelled')) return 'cancelled';
  if (statuses.every((s) => s === 'completed' || s === 'skipped')) return 'completed';
  if (statuses.some((s) => s === 'running' || s === 'completed' || s === 'skipped')) return 'running';
  return 'queued';
}

/** A job is halted once a node failed or was cancelled: nothing new starts. */
export function isHalted(graph: WorkflowGraph): boolean {
  return graph.nodes.some((node) => node.status === 'failed' || node.status === 'cancelled');
}

export function anyRunning(graph: WorkflowGraph): boolean {
  return graph.nodes.some((node) => node.status === 'running');
}

/** Terminal: no node is running and the job completed, failed or was cancelled. */
export function isTerminal(graph: WorkflowGraph): boolean {
  const status = jobStatusOf(graph);
  return !anyRunning(graph) && (status === 'completed' || status === 'failed' || status === 'cancelled');
}
