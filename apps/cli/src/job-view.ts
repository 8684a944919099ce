/**
 * Reading job states the same way in both modes: the current step's label, the failure line, the final
 * video among the artifacts, and the checks on what a server answers (states are validated against the
 * published JobState schema once the transport's own fields are set aside).
 */
import {
  type ArtifactRef,
  artifactRefValidator,
  type JobState,
  type JobStatus,
  jobStateValidator,
} from '@myspinbot/contracts';
import { CliError, ExitCode } from './exit-codes.js';
import { isRecord } from './values.js';

/** A job state as followed: the queue position comes with queued states. */
export interface FollowedState extends JobState {
  queuePosition?: number;
}

const TERMINAL: ReadonlySet<JobStatus> = new Set(['completed', 'failed', 'cancelled']);

export function isTerminal(state: JobState): boolean {
  return TERMINAL.has(state.status);
}

/** What the job is doing, for people: the running node's name, the queue place, or the final status. */
export function stepLabel(state: FollowedState): string {
  if (state.status === 'queued')
    return state.queuePosition === undefined ? 'queued' : `queued (position ${state.queuePosition})`;
  if (state.status !== 'running') return state.status;
  const node =
    state.nodes.find((n) => n.id === state.currentNodeId) ?? state.nodes.find((n) => n.status === 'running');
  return node ? node.name : 'running';
}

/** A failed job as exit 4, naming the node, the code and the message. */
export function jobFailure(state: JobState): CliError {
  const error = state.error;
  const node = state.nodes.find((n) => n.id === error?.nodeId);
  const where = error?.nodeId ? ` at node ${error.nodeId}${node ? ` (${node.name})` : ''}` : '';
  return new CliError(
    ExitCode.JOB_FAILED,
    error?.code ?? 'JOB_FAILED',
    `job ${state.jobId} failed${where}: ${error?.message ?? 'no reason given'}`,
    error?.nodeId ? { nodeId: error.nodeId } : {},
  );
}

export function jobCancelled(state: JobState): CliError {
  return new CliError(ExitCode.JOB_CANCELLED, 'JOB_CANCELLED', `job ${state.jobId} was cancelled`);
}

/** The terminal state as an outcome: nothing for completed, the error to exit with otherwise. */
export function terminalError(state: JobState): CliError | null {
  if (state.status === 'failed') return jobFailure(state);
  if (state.status === 'cancelled') return jobCancelled(state);
  return null;
}

/**
 * The deliverable among a job's artifacts: final.mp4 (the finalize node's upscaled output) when there is
 * one, else the rendered video.mp4 that finalize passes on as it is; the last one in graph order wins.
 */
export function pickVideo(artifacts: readonly ArtifactRef[]): ArtifactRef | null {
  for (const name of ['final.mp4', 'video.mp4']) {
    const found = artifacts.filter((a) => a.name === name);
    const last = found[found.length - 1];
    if (last) return last;
  }
  return null;
}

function badAnswer(what: string, problem: string): CliError {
  return new CliError(
    ExitCode.UNAVAILABLE,
    'BAD_RESPONSE',
    `the server's ${what} is not understood: ${problem}`,
  );
}

/**
 * A job state from a server message: the fields the transports add (type, queuePosition, and input and
 * artifacts of the job details) are set aside, the rest must be a JobState.
 */
export function readJobState(value: unknown, what: string): FollowedState {
  if (!isRecord(value)) throw badAnswer(what, 'not a JSON object');
  const { type: _type, queuePosition, input: _input, artifacts: _artifacts, ...rest } = value;
  if (!jobStateValidator.is(rest))
    throw badAnswer(what, jobStateValidator.problems(rest).slice(0, 3).join('; '));
  return typeof queuePosition === 'number' ? { ...rest, queuePosition } : rest;
}

/** The artifact list of GET /api/jobs/:id (entries that are not artifact references are skipped). */
export function readArtifacts(value: unknown): ArtifactRef[] {
  if (!isRecord(value) || !Array.isArray(value.artifacts)) throw badAnswer('job details', 'no artifact list');
  return value.artifacts.flatMap((entry: unknown) => {
    if (!isRecord(entry)) return [];
    const { url: _url, ...ref } = entry;
    return artifactRefValidator.is(ref) ? [ref] : [];
  });
}
