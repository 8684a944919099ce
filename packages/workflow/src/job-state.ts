/**
 * The job as clients see it (JobState of job.schema.json), derived from the graph. Optional keys are
 * omitted, never set to undefined, so the result is valid JSON for jobStateValidator as it is.
 */
import type { GraphNode, JobState, NodeState, WorkflowGraph } from '@myspinbot/contracts';
import { failureOf } from './failure.js';
import { isTerminal, jobStatusOf } from './job-status.js';
import { nodesInOrder } from './order.js';
import { clampUnit, jobProgress } from './progress.js';
import { nextPlane } from './ready.js';

export interface JobTimes {
  updatedAt: string;
  /** Defaults to metadata.createdAt. */
  createdAt?: string;
}

export function jobStateOf(graph: WorkflowGraph, times: JobTimes): JobState {
  const running = nodesInOrder(graph).find((node) => node.status === 'running');
  // The plane at work: a running node's, else the one that goes next; none once the job is terminal.
  const plane = isTerminal(graph) ? null : (running?.plane ?? nextPlane(graph));
  const createdAt = times.createdAt ?? graph.metadata?.createdAt;
  const pipeline = graph.metadata?.pipeline;
  const error = failureOf(graph);
  return {
    jobId: graph.workflowId,
    status: jobStatusOf(graph),
    progress: jobProgress(graph),
    ...(pipeline === undefined ? {} : { pipeline }),
    ...(plane === null ? {} : { currentPlane: plane }),
    ...(running === undefined ? {} : { currentNodeId: running.id }),
    ...(createdAt === undefined ? {} : { createdAt }),
    updatedAt: times.updatedAt,
    ...(error === undefined ? {} : { error }),
    nodes: graph.nodes.map(nodeStateOf),
  };
}

/** A node as clients see it: progress 1 once completed, else its own (0 when unknown). */
export function nodeStateOf(node: GraphNode): NodeState {
  return {
    id: node.id,
    name: node.name,
    service: node.service,
    plane: node.plane,
    status: node.status,
    progress: node.status === 'completed' ? 1 : clampUnit(node.progress ?? 0),
    ...(node.attempts === undefined ? {} : { attempts: node.attempts }),
    ...(node.timings === undefined ? {} : { timings: { ...node.timings } }),
    ...(node.error == null ? {} : { error: { ...node.error } }),
  };
}
