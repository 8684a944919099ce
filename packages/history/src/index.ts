export { type CreateJobHistoryOptions, createJobHistory } from './create-history.js';
export { decodeCursor, encodeCursor, type SortKey } from './cursor.js';
export {
  DEFAULT_POSTGRES_CONNECT_TIMEOUT_MS,
  DEFAULT_POSTGRES_POOL_SIZE,
  isPostgresUnavailable,
  PostgresJobHistory,
  type PostgresJobHistoryOptions,
} from './postgres/postgres-history.js';
export { redactUrl } from './redact.js';
export { historyMigrations } from './sql/migrations.js';
export { HISTORY_TABLE } from './sql/schema.js';
export { SqlJobHistory } from './sql/sql-history.js';
export {
  DEFAULT_SQLITE_BUSY_TIMEOUT_MS,
  isSqliteUnavailable,
  SqliteJobHistory,
  type SqliteJobHistoryOptions,
} from './sqlite/sqlite-history.js';
export type * from './types.js';
export {
  ACTIVE_STATUSES,
  canonicalTimestamp,
  JOB_STATUSES,
  MAX_PAGE_SIZE,
  TERMINAL_STATUSES,
} from './validate.js';
