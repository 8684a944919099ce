import type { JobRecord } from '@myspinbot/bus';
import type { JobState } from '@myspinbot/contracts';
import { jobStateOf } from '@myspinbot/workflow';

/**
 * The client view of a job record. The record's status and error win over the graph's: a job failed by
 * the bus (dead letter) may carry a graph that never saw the failure.
 */
export function jobStateFromRecord(record: JobRecord): JobState {
  const times = {
    updatedAt: record.updatedAt || new Date().toISOString(),
    ...(record.createdAt ? { createdAt: record.createdAt } : {}),
  };
  const state: JobState = record.graph
    ? jobStateOf(record.graph, times)
    : { jobId: record.jobId, status: record.status, progress: record.progress, nodes: [], ...times };
  state.status = record.status;
  if (record.error && !state.error) state.error = record.error;
  if (record.status === 'completed') state.progress = 1;
  return state;
}
