/**
 * The table both stores keep, as Kysely sees it. Values are written in one form on both dialects (JSON as
 * text, timestamps as canonical ISO strings); they come back per dialect: SQLite returns the text as
 * written, PostgreSQL returns jsonb parsed and timestamptz as Date. A RowCodec turns them back.
 */
import type { JobStatus } from '@myspinbot/contracts';
import type { ColumnType } from 'kysely';

export const HISTORY_TABLE = 'job_history';
export const MIGRATION_TABLE = 'job_history_migration';
export const MIGRATION_LOCK_TABLE = 'job_history_migration_lock';

type Timestamp = ColumnType<string | Date, string, string>;
type NullableTimestamp = ColumnType<string | Date | null, string | null, string | null>;
type Json = ColumnType<unknown, string, string>;
type NullableJson = ColumnType<unknown, string | null, string | null>;

export interface JobHistoryTable {
  job_id: string;
  pipeline: string;
  status: JobStatus;
  progress: number;
  created_at: Timestamp;
  updated_at: Timestamp;
  finished_at: NullableTimestamp;
  input: Json;
  state: Json;
  error: NullableJson;
  artifacts: Json;
}

export interface HistoryDatabase {
  job_history: JobHistoryTable;
}

/** Turns values read from one dialect back into the entry's types. */
export interface RowCodec {
  json(value: unknown): unknown;
  timestamp(value: string | Date): string;
}
