/**
 * Whole-job updates: cancel, finalize, retry. Each returns a new graph (then refreshReady), or the very
 * same graph when nothing changes.
 */
import type { GraphNode, NodeError, WorkflowGraph } from '@myspinbot/contracts';
import { isWaiting } from './dependencies.js';
import { failureOf } from './failure.js';
import { mapNodes } from './graph-edit.js';
import { anyRunning, jobStatusOf } from './job-status.js';
import { finishedTimings } from './node-updates.js';
import { refreshReady } from './refresh.js';

/** NodeError.message holds at most this many characters (common.schema.json). */
const MAX_MESSAGE = 4000;

/**
 * Cancels every node that has not settled (pending, ready, running) with NODE_CANCELLED; running nodes get
 * their finish time. Completed, failed and skipped nodes stay as they are.
 */
export function cancelGraph(graph: WorkflowGraph, at: Date, reason?: string): WorkflowGraph {
  const error: NodeError = {
    code: 'NODE_CANCELLED',
    message: (reason ?? 'cancelled by request').slice(0, MAX_MESSAGE),
    retryable: false,
  };
  return refreshReady(
    mapNodes(graph, (node): GraphNode => {
      if (node.status === 'running') {
        return { ...node, status: 'cancelled', error, output: null, timings: finishedTimings(node, at) };
      }
      return isWaiting(node.status) ? { ...node, status: 'cancelled', error } : node;
    }),
  );
}

/**
 * Settles the nodes a halted job will never run, once nothing runs any more: after a failure they are
 * skipped with UPSTREAM_FAILED (retryable), after a cancellation they are cancelled with NODE_CANCELLED.
 * A job that is not halted, or still has a running node, is returned as is.
 */
export function finalizeGraph(graph: WorkflowGraph): WorkflowGraph {
  if (anyRunning(graph)) return graph;
  const status = jobStatusOf(graph);
  if (status !== 'failed' && status !== 'cancelled') return graph;
  const culprit = failureOf(graph)?.nodeId ?? '?';
  if (status === 'failed') {
    const error: NodeError = {
      code: 'UPSTREAM_FAILED',
      message: `not run: node ${culprit} failed`,
      retryable: true,
    };
    return refreshReady(
      mapNodes(graph, (node) =>
        isWaiting(node.status) ? { ...node, status: 'skipped', error, output: null } : node,
      ),
    );
  }
  const error: NodeError = {
    code: 'NODE_CANCELLED',
    message: `not run: node ${culprit} was cancelled`,
    retryable: false,
  };
  return refreshReady(
    mapNodes(graph, (node) => (isWaiting(node.status) ? { ...node, status: 'cancelled', error } : node)),
  );
}

/** A node a retry runs again: failed or cancelled, or skipped only because of a failure or cancellation. */
function needsRerun(node: GraphNode): boolean {
  if (node.status === 'failed' || node.status === 'cancelled') return true;
  const code = node.error?.code;
  return node.status === 'skipped' && (code === 'UPSTREAM_FAILED' || code === 'NODE_CANCELLED');
}

/**
 * Puts the nodes a retry runs again back to pending: no error, no output, progress 0, no timings, attempts
 * kept. Completed nodes keep their output and are not run again.
 */
export function prepareRetry(graph: WorkflowGraph): WorkflowGraph {
  return refreshReady(
    mapNodes(graph, (node): GraphNode => {
      if (!needsRerun(node)) return node;
      const { timings: _finished, ...rest } = node;
      return { ...rest, status: 'pending', error: null, output: null, progress: 0 };
    }),
  );
}
