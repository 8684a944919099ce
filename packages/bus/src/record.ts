/** Shapes shared by both bus implementations: job records, events, dead letters. */
import type { JobEvent, JobFailure, JobStatus, NodeError, Plane, WorkflowGraph } from '@myspinbot/contracts';
import type { Delivery, JobRecord } from './types.js';

const JOB_STATUSES: readonly JobStatus[] = ['queued', 'running', 'completed', 'failed', 'cancelled'];

function parseJson<T>(text: string | undefined): T | null {
  if (text === undefined || text === '') return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

/** A job record from its stored string fields; null when the fields are not a job record. */
export function recordFromFields(jobId: string, fields: Record<string, string>): JobRecord | null {
  const status = fields.status as JobStatus | undefined;
  if (status === undefined || !JOB_STATUSES.includes(status)) return null;
  const plane = fields.plane === 'node' || fields.plane === 'python' ? fields.plane : null;
  return {
    jobId,
    status,
    progress: Number(fields.progress ?? 0) || 0,
    graph: parseJson<WorkflowGraph>(fields.graph),
    plane,
    createdAt: fields.createdAt ?? '',
    updatedAt: fields.updatedAt ?? '',
    error: parseJson<JobFailure>(fields.error),
    cancelRequested: fields.cancel === '1',
  };
}

export function nowIso(): string {
  return new Date().toISOString();
}

export function statusEvent(
  jobId: string,
  status: JobStatus,
  progress: number,
  extra: Partial<Omit<JobEvent, 'type' | 'jobId' | 'status' | 'progress'>> = {},
): JobEvent {
  return { type: 'status', jobId, at: nowIso(), status, progress, ...extra };
}

export function failureOfError(error: NodeError, nodeId?: string): JobFailure {
  const failure: JobFailure = { code: error.code, message: error.message, retryable: error.retryable };
  if (nodeId !== undefined) failure.nodeId = nodeId;
  if (error.details !== undefined) failure.details = error.details;
  return failure;
}

/** The job id carried by a raw entry, when it looks like one (used to fail the job of a malformed entry). */
export function jobIdOf(delivery: Delivery): string | null {
  const id = delivery.fields.jobId;
  return id !== undefined && /^[A-Za-z0-9_-]{1,64}$/.test(id) ? id : null;
}

/** Raw fields kept in a dead letter: the graph text is cut so a poison entry cannot bloat the stream. */
export function deadLetterFields(delivery: Delivery, maxGraphChars = 16_384): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(delivery.fields)) {
    out[key] = key === 'graph' && value.length > maxGraphChars ? `${value.slice(0, maxGraphChars)}…` : value;
  }
  return out;
}

export function otherPlane(plane: Plane): Plane {
  return plane === 'node' ? 'python' : 'node';
}
