/**
 * PostgresJobHistory: the job history in PostgreSQL (distributed mode), through a pg Pool. Connecting is
 * bounded by connectTimeoutMs, so an unreachable server fails init() or an operation with
 * HISTORY_UNAVAILABLE (retryable) instead of hanging; close() ends the pool.
 */
import { MySpinBotError } from '@myspinbot/contracts';
import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
import { redactUrl } from '../redact.js';
import type { HistoryDatabase, RowCodec } from '../sql/schema.js';
import { SqlJobHistory } from '../sql/sql-history.js';

export interface PostgresJobHistoryOptions {
  /** postgres://user:password@host:port/database (postgresql:// too). */
  url: string;
  /** Most connections the pool opens; default 10. */
  poolSize?: number;
  /** How long one connection attempt may take (ms); default 2000. */
  connectTimeoutMs?: number;
}

export const DEFAULT_POSTGRES_POOL_SIZE = 10;
export const DEFAULT_POSTGRES_CONNECT_TIMEOUT_MS = 2000;

// pg parses jsonb into values and timestamptz into Date.
const POSTGRES_CODEC: RowCodec = {
  json: (value) => value,
  timestamp: (value) => (value instanceof Date ? value : new Date(value)).toISOString(),
};

const UNAVAILABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);
// SQLSTATEs of a server that is going away, starting up or full: 57P01 admin_shutdown, 57P02
// crash_shutdown, 57P03 cannot_connect_now, 53300 too_many_connections; class 08 is connection_exception.
const UNAVAILABLE_SQLSTATE = new Set(['57P01', '57P02', '57P03', '53300']);
// pg reports a lost or timed-out connection with plain Errors that carry no code.
const UNAVAILABLE_MESSAGE =
  /connection terminated|timeout exceeded when trying to connect|not queryable|connection timeout/i;

export function isPostgresUnavailable(error: unknown): boolean {
  if (error instanceof AggregateError && error.errors.some(isPostgresUnavailable)) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (UNAVAILABLE_ERRNO.has(code) || UNAVAILABLE_SQLSTATE.has(code) || code.startsWith('08')) return true;
  }
  return UNAVAILABLE_MESSAGE.test(error.message);
}

function parsePostgresUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new MySpinBotError('CONFIG_INVALID', `invalid PostgreSQL URL '${redactUrl(value)}'`, {
      details: { value: redactUrl(value) },
      cause,
    });
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new MySpinBotError(
      'CONFIG_INVALID',
      `invalid PostgreSQL URL '${redactUrl(value)}': the scheme must be postgres:// or postgresql://`,
      { details: { value: redactUrl(value) } },
    );
  }
  return url;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new MySpinBotError('CONFIG_INVALID', `${name} must be a positive integer, got ${value}`, {
      details: { [name]: value },
    });
  }
  return value;
}

export class PostgresJobHistory extends SqlJobHistory<'postgres'> {
  private readonly pool: Pool;

  constructor(options: PostgresJobHistoryOptions) {
    const url = parsePostgresUrl(options.url);
    const pool = new Pool({
      connectionString: options.url,
      max: positiveInteger(options.poolSize ?? DEFAULT_POSTGRES_POOL_SIZE, 'poolSize'),
      connectionTimeoutMillis: positiveInteger(
        options.connectTimeoutMs ?? DEFAULT_POSTGRES_CONNECT_TIMEOUT_MS,
        'connectTimeoutMs',
      ),
      idleTimeoutMillis: 30_000,
      application_name: 'myspinbot-history',
    });
    // An idle client whose connection drops is discarded by the pool; the next query opens a new one.
    // Without a listener the 'error' event would crash the process.
    pool.on('error', () => undefined);
    const db = new Kysely<HistoryDatabase>({ dialect: new PostgresDialect({ pool }) });
    const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
    super({
      kind: 'postgres',
      db,
      codec: POSTGRES_CODEC,
      location: `PostgreSQL ${url.host || 'localhost'}/${database}`,
      isUnavailable: isPostgresUnavailable,
      listIsolation: 'repeatable read',
    });
    this.pool = pool;
  }

  /** Connections the pool holds now (open, idle or in use). */
  get connections(): number {
    return this.pool.totalCount;
  }
}
