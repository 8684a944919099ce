/**
 * Checks on the way in. Nothing reaches the database unless it passes: a bad entry, query or bound is a
 * SCHEMA_INVALID MySpinBotError listing every problem found, and nothing is written.
 */
import {
  artifactRefValidator,
  type JobFailure,
  type JobStatus,
  jobStateValidator,
  MySpinBotError,
  validatorFor,
} from '@myspinbot/contracts';
import type { ListQuery } from './types.js';

export const JOB_STATUSES: readonly JobStatus[] = ['queued', 'running', 'completed', 'failed', 'cancelled'];
export const ACTIVE_STATUSES: readonly JobStatus[] = ['queued', 'running'];
export const TERMINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];
export const MAX_PAGE_SIZE = 100;

const JOB_ID = /^[A-Za-z0-9_-]{1,64}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i;

const jobFailureValidator = validatorFor<JobFailure>('job.schema.json#/$defs/JobFailure', 'job failure');

export function invalid(message: string, problems: string[] = [message]): MySpinBotError {
  return new MySpinBotError('SCHEMA_INVALID', message, { details: { problems: problems.slice(0, 50) } });
}

export function isJobId(value: unknown): value is string {
  return typeof value === 'string' && JOB_ID.test(value);
}

export function isJobStatus(value: unknown): value is JobStatus {
  return typeof value === 'string' && (JOB_STATUSES as readonly string[]).includes(value);
}

/**
 * The canonical form of an ISO-8601 date-time with a zone: UTC, millisecond precision, four-digit year
 * (`Date#toISOString`). Canonical strings sort like the instants they name, so SQLite compares them as text.
 * Returns null for anything else.
 */
export function canonicalTimestamp(value: unknown): string | null {
  if (typeof value !== 'string' || !ISO_DATE_TIME.test(value)) return null;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) return null;
  const iso = new Date(ms).toISOString();
  // Years outside 0000..9999 are written with a sign and six digits, which breaks text ordering.
  return /^\d{4}-/.test(iso) ? iso : null;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// A JSON escape of U+0000 or of a lone surrogate, preceded by an even number of backslashes (so the
// backslash before `u` is an escape, not an escaped backslash). JSON.stringify escapes exactly these
// characters this way; PostgreSQL jsonb cannot hold them.
const UNSTORABLE_ESCAPE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

/**
 * JSON text of a value, or a problem when the value cannot live in both stores: every JSON field must
 * round-trip through PostgreSQL jsonb, so strings with U+0000 or lone surrogates are refused everywhere.
 */
function storableJson(value: unknown, field: string, problems: string[]): string {
  const text = JSON.stringify(value);
  if (UNSTORABLE_ESCAPE.test(text)) {
    problems.push(`/${field}: contains U+0000 or a lone surrogate, which the history cannot store`);
  }
  return text;
}

/** Validator problems ("path: message", "(root): message") re-rooted at a field of the entry. */
function under(field: string, problems: string[]): string[] {
  return problems.map((p) => `/${field}${p.startsWith('(root)') ? p.slice('(root)'.length) : p}`);
}

/** A validated entry with canonical timestamps and its JSON fields already serialised. */
export interface CheckedEntry {
  jobId: string;
  pipeline: string;
  status: JobStatus;
  progress: number;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  input: string;
  state: string;
  error: string | null;
  artifacts: string;
}

/** Validates an entry (its state with jobStateValidator) and prepares it for writing. */
export function checkEntry(entry: unknown): CheckedEntry {
  if (!isPlainObject(entry)) throw invalid('invalid history entry: not an object');
  const problems: string[] = [];
  const stateProblems = jobStateValidator.problems(entry.state);
  problems.push(...under('state', stateProblems));

  const { jobId, pipeline, status, progress, input, error, artifacts } = entry;
  if (!isJobId(jobId)) problems.push('/jobId: must be 1..64 letters, digits, _ or -');
  else if (stateProblems.length === 0 && isPlainObject(entry.state) && entry.state.jobId !== jobId) {
    problems.push('/state/jobId: differs from /jobId');
  }
  if (typeof pipeline !== 'string' || pipeline.length === 0)
    problems.push('/pipeline: must be a non-empty string');
  if (!isJobStatus(status)) problems.push(`/status: must be one of ${JOB_STATUSES.join(', ')}`);
  if (typeof progress !== 'number' || !Number.isFinite(progress) || progress < 0 || progress > 1) {
    problems.push('/progress: must be a number in 0..1');
  }
  const createdAt = canonicalTimestamp(entry.createdAt);
  if (createdAt === null) problems.push('/createdAt: must be an ISO-8601 date-time with a zone');
  const updatedAt = canonicalTimestamp(entry.updatedAt);
  if (updatedAt === null) problems.push('/updatedAt: must be an ISO-8601 date-time with a zone');
  const finishedAt = entry.finishedAt === null ? null : canonicalTimestamp(entry.finishedAt);
  if (entry.finishedAt !== null && finishedAt === null) {
    problems.push('/finishedAt: must be null or an ISO-8601 date-time with a zone');
  }
  if (isJobStatus(status)) {
    const terminal = TERMINAL_STATUSES.includes(status);
    if (terminal && entry.finishedAt === null)
      problems.push(`/finishedAt: required when the status is ${status}`);
    if (!terminal && entry.finishedAt !== null) problems.push(`/finishedAt: must be null while ${status}`);
  }
  if (!isPlainObject(input)) problems.push('/input: must be an object');
  if (error !== null && !jobFailureValidator.is(error)) {
    problems.push(...under('error', jobFailureValidator.problems(error)));
  }
  if (!Array.isArray(artifacts)) problems.push('/artifacts: must be an array');
  else {
    artifacts.forEach((ref: unknown, i) => {
      problems.push(...under(`artifacts/${i}`, artifactRefValidator.problems(ref)));
    });
  }

  const json = {
    input: storableJson(input, 'input', problems),
    state: storableJson(entry.state, 'state', problems),
    error: error === null ? null : storableJson(error, 'error', problems),
    artifacts: storableJson(artifacts, 'artifacts', problems),
  };
  if (
    problems.length > 0 ||
    !isJobId(jobId) ||
    typeof pipeline !== 'string' ||
    !isJobStatus(status) ||
    typeof progress !== 'number' ||
    createdAt === null ||
    updatedAt === null
  ) {
    throw invalid(`invalid history entry: ${problems.slice(0, 5).join('; ')}`, problems);
  }
  return { jobId, pipeline, status, progress, createdAt, updatedAt, finishedAt, ...json };
}

/** A validated list query. */
export interface CheckedQuery {
  limit: number;
  status: JobStatus[] | undefined;
  pipeline: string | undefined;
}

export function checkListQuery(query: ListQuery): CheckedQuery {
  const problems: string[] = [];
  const { limit, status, pipeline } = query;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    problems.push(`/limit: must be an integer in 1..${MAX_PAGE_SIZE}`);
  }
  if (status !== undefined && (!Array.isArray(status) || !status.every(isJobStatus))) {
    problems.push(`/status: must be a list of ${JOB_STATUSES.join(', ')}`);
  }
  if (pipeline !== undefined && typeof pipeline !== 'string') problems.push('/pipeline: must be a string');
  if (problems.length > 0) throw invalid(`invalid list query: ${problems.join('; ')}`, problems);
  return { limit, status: status === undefined ? undefined : [...new Set(status)], pipeline };
}

export function checkTimestamp(value: unknown, what: string): string {
  const canonical = canonicalTimestamp(value);
  if (canonical === null) throw invalid(`invalid ${what}: must be an ISO-8601 date-time with a zone`);
  return canonical;
}
