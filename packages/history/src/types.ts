/**
 * The job history contract. Two implementations keep it: SqliteJobHistory (embedded mode, one file under
 * ./data) and PostgresJobHistory (distributed mode, DATABASE_URL). One conformance suite
 * (test/conformance.ts) runs against both.
 */
import type { ArtifactRef, JobFailure, JobState, JobStatus } from '@myspinbot/contracts';

/** One job as the history keeps it. Timestamps are ISO-8601; the store returns them in UTC with milliseconds. */
export interface JobHistoryEntry {
  jobId: string;
  pipeline: string;
  status: JobStatus;
  /** 0..1 */
  progress: number;
  createdAt: string;
  updatedAt: string;
  /** Set exactly when the status is terminal (completed, failed, cancelled). */
  finishedAt: string | null;
  /** What the user asked: prompt, options, input artifact refs. Kept from the first write. */
  input: Record<string, unknown>;
  /** The latest full client view (nodes, timings, errors). */
  state: JobState;
  error: JobFailure | null;
  artifacts: ArtifactRef[];
}

export interface ListQuery {
  /** Page size, an integer in 1..100. */
  limit: number;
  /** The nextCursor of the previous page; absent for the first page. */
  cursor?: string;
  /** Only jobs in one of these statuses (an empty list matches no job). */
  status?: JobStatus[];
  /** Only jobs of this pipeline. */
  pipeline?: string;
}

export interface ListPage {
  /** Newest first: createdAt descending, then jobId descending. */
  items: JobHistoryEntry[];
  /** Cursor of the page after this one; null on the last page. */
  nextCursor: string | null;
  /** How many rows match the filters (all pages together). */
  total: number;
}

export type JobHistoryKind = 'sqlite' | 'postgres';

export interface JobHistory {
  readonly kind: JobHistoryKind;
  /** Connects and runs the migrations; safe to call again and from several instances. */
  init(): Promise<void>;
  /** Releases the connection(s); idempotent. */
  close(): Promise<void>;
  /** Whether the database answers now; never throws. */
  ping(): Promise<boolean>;
  /**
   * Inserts the job, or updates it when entry.updatedAt >= the stored updatedAt (an older state never
   * overwrites a newer one). createdAt and input of an existing row are kept. Returns whether it wrote.
   */
  upsert(entry: JobHistoryEntry): Promise<boolean>;
  get(jobId: string): Promise<JobHistoryEntry | null>;
  /** Newest first, keyset-paged with an opaque cursor; a malformed cursor is SCHEMA_INVALID. */
  list(query: ListQuery): Promise<ListPage>;
  /** Jobs queued or running, oldest first (what to recover after a restart). */
  listActive(): Promise<JobHistoryEntry[]>;
  /** Returns whether a row was removed. */
  delete(jobId: string): Promise<boolean>;
  /** Removes finished jobs whose finishedAt is before the bound; returns how many. */
  purgeOlderThan(before: string): Promise<number>;
}
