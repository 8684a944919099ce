/**
 * One node's life: start, progress, result. Each returns a new graph (then refreshReady), or the very same
 * graph when the update does not apply to the node's current status. An unknown node id throws
 * MySpinBotError NODE_INPUT_INVALID.
 */
import type { GraphNode, NodeError, NodeTimings, WorkflowGraph } from '@myspinbot/contracts';
import { editNode } from './graph-edit.js';
import { getNode } from './graph-index.js';
import { clampUnit } from './progress.js';
import { refreshReady } from './refresh.js';

export type NodeResult = { ok: true; output: Record<string, unknown> } | { ok: false; error: NodeError };

/**
 * Marks a node running for a new attempt: attempts + 1, progress 0, no error or output, timings restarted.
 * Applies to pending, ready and running nodes (running: redelivered after its executor died); a node that
 * already completed, failed, was skipped or cancelled is left as is, so a start racing a cancel is ignored.
 * Dependencies are not checked: start only nodes that readyNodes returned.
 */
export function startNode(graph: WorkflowGraph, nodeId: string, at: Date): WorkflowGraph {
  const node = getNode(graph, nodeId);
  if (node.status !== 'pending' && node.status !== 'ready' && node.status !== 'running') return graph;
  return refreshReady(
    editNode(graph, nodeId, (n) => ({
      ...n,
      status: 'running',
      attempts: (n.attempts ?? 0) + 1,
      progress: 0,
      error: null,
      output: null,
      timings: { startedAt: at.toISOString() },
    })),
  );
}

/**
 * Records a running node's progress, clamped into [0, 1]. Progress never goes down while the node runs:
 * smaller values and NaN are ignored, as is any report for a node that is not running.
 */
export function reportNodeProgress(graph: WorkflowGraph, nodeId: string, progress: number): WorkflowGraph {
  const node = getNode(graph, nodeId);
  if (node.status !== 'running' || Number.isNaN(progress)) return graph;
  const next = clampUnit(progress);
  if (next <= (node.progress ?? 0)) return graph;
  return refreshReady(editNode(graph, nodeId, (n) => ({ ...n, progress: next })));
}

/**
 * Settles a running node: completed with its output and progress 1, or failed with its error (progress
 * kept). A result for a node that is not running (cancelled meanwhile, or already settled) is ignored.
 */
export function applyNodeResult(
  graph: WorkflowGraph,
  nodeId: string,
  result: NodeResult,
  at: Date,
): WorkflowGraph {
  const node = getNode(graph, nodeId);
  if (node.status !== 'running') return graph;
  const timings = finishedTimings(node, at);
  return refreshReady(
    editNode(graph, nodeId, (n) =>
      result.ok
        ? { ...n, status: 'completed', output: result.output, progress: 1, error: null, timings }
        : { ...n, status: 'failed', output: null, error: result.error, timings },
    ),
  );
}

/** The node's timings closed at `at`; the duration is 0 without a (valid) start, and never negative. */
export function finishedTimings(node: GraphNode, at: Date): NodeTimings {
  const startedAt = node.timings?.startedAt;
  const started = startedAt === undefined ? Number.NaN : Date.parse(startedAt);
  const durationMs = Number.isNaN(started) ? 0 : Math.max(0, at.getTime() - started);
  return { ...node.timings, finishedAt: at.toISOString(), durationMs };
}
