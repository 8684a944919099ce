/**
 * SqliteJobHistory: the job history in one SQLite file (embedded mode), through better-sqlite3. The file's
 * folder is created on first use; the database runs in WAL mode so readers never block the writer, and a
 * writer waits up to busyTimeoutMs for another connection's lock instead of failing at once.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { HistoryDatabase, RowCodec } from '../sql/schema.js';
import { SqlJobHistory } from '../sql/sql-history.js';

export interface SqliteJobHistoryOptions {
  /** Database file; a relative path is resolved against the working directory at construction. */
  file: string;
  /** How long a write waits for another connection's lock (ms); default 5000. */
  busyTimeoutMs?: number;
}

export const DEFAULT_SQLITE_BUSY_TIMEOUT_MS = 5000;

// SQLite hands back exactly what was written: JSON text and canonical timestamps.
const SQLITE_CODEC: RowCodec = {
  json: (value) => (typeof value === 'string' ? JSON.parse(value) : value),
  timestamp: (value) => (typeof value === 'string' ? value : value.toISOString()),
};

// Result codes (and file-system errors) that mean the file cannot be used right now, as opposed to a bug.
const UNAVAILABLE_SQLITE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|PROTOCOL)/;
const UNAVAILABLE_ERRNO = new Set([
  'EACCES',
  'EPERM',
  'ENOSPC',
  'EROFS',
  'EIO',
  'EMFILE',
  'ENFILE',
  'ENOTDIR',
]);

export function isSqliteUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return false;
  return UNAVAILABLE_SQLITE.test(code) || UNAVAILABLE_ERRNO.has(code);
}

function openDatabase(file: string, busyTimeoutMs: number): Database.Database {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { timeout: busyTimeoutMs });
  try {
    db.pragma('journal_mode = WAL');
    // In WAL mode NORMAL loses no committed data on a process crash, only possibly on power loss.
    db.pragma('synchronous = NORMAL');
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

export class SqliteJobHistory extends SqlJobHistory<'sqlite'> {
  /** Absolute path of the database file. */
  readonly file: string;

  constructor(options: SqliteJobHistoryOptions) {
    const file = resolve(options.file);
    const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_SQLITE_BUSY_TIMEOUT_MS;
    // The file is opened lazily, on the first query (init), so constructing has no side effects.
    const db = new Kysely<HistoryDatabase>({
      dialect: new SqliteDialect({ database: async () => openDatabase(file, busyTimeoutMs) }),
    });
    super({
      kind: 'sqlite',
      db,
      codec: SQLITE_CODEC,
      location: `SQLite ${file}`,
      isUnavailable: isSqliteUnavailable,
    });
    this.file = file;
  }
}
