/**
 * Why a job stopped: the first failed node in topological order, or, when none failed, the first cancelled
 * one. A node that lost its error still yields a failure (SERVICE_FAILED, or NODE_CANCELLED).
 */
import type { GraphNode, JobFailure, NodeError, WorkflowGraph } from '@myspinbot/contracts';
import { nodesInOrder } from './order.js';

export function failureOf(graph: WorkflowGraph): JobFailure | undefined {
  if (!graph.nodes.some((node) => node.status === 'failed' || node.status === 'cancelled')) return undefined;
  const ordered = nodesInOrder(graph);
  const failed = ordered.find((node) => node.status === 'failed');
  if (failed !== undefined)
    return asFailure(failed, { code: 'SERVICE_FAILED', message: `node ${failed.id} failed` });
  const cancelled = ordered.find((node) => node.status === 'cancelled');
  if (cancelled !== undefined) {
    return asFailure(cancelled, { code: 'NODE_CANCELLED', message: `node ${cancelled.id} was cancelled` });
  }
  return undefined;
}

function asFailure(node: GraphNode, fallback: { code: string; message: string }): JobFailure {
  const error: NodeError = node.error ?? { ...fallback, retryable: false };
  return {
    nodeId: node.id,
    code: error.code,
    message: error.message,
    retryable: error.retryable,
    ...(error.details === undefined ? {} : { details: error.details }),
  };
}
