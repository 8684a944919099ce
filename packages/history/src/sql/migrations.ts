/**
 * Schema migrations, defined in code and run by Kysely's Migrator at init(). One list for both dialects;
 * only column types differ (JSON as text in SQLite, jsonb in PostgreSQL; timestamps as canonical ISO text
 * in SQLite, timestamptz in PostgreSQL). Migrations are append-only: a released migration never changes.
 */
import { type Expression, type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';
import type { JobHistoryKind } from '../types.js';
import { HISTORY_TABLE } from './schema.js';

interface ColumnTypes {
  id: Expression<unknown>;
  json: Expression<unknown>;
  timestamp: Expression<unknown>;
  real: Expression<unknown>;
}

const COLUMN_TYPES: Record<JobHistoryKind, ColumnTypes> = {
  sqlite: { id: sql`text`, json: sql`text`, timestamp: sql`text`, real: sql`real` },
  // "C" collation: job ids order by code point, as in SQLite and JavaScript, whatever the database locale.
  postgres: {
    id: sql`text collate "C"`,
    json: sql`jsonb`,
    timestamp: sql`timestamptz`,
    real: sql`double precision`,
  },
};

function createJobHistory(types: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable(HISTORY_TABLE)
        .ifNotExists()
        .addColumn('job_id', types.id, (c) => c.primaryKey())
        .addColumn('pipeline', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) =>
          c.notNull().check(sql`status in ('queued', 'running', 'completed', 'failed', 'cancelled')`),
        )
        .addColumn('progress', types.real, (c) => c.notNull().check(sql`progress >= 0 and progress <= 1`))
        .addColumn('created_at', types.timestamp, (c) => c.notNull())
        .addColumn('updated_at', types.timestamp, (c) => c.notNull())
        .addColumn('finished_at', types.timestamp)
        .addColumn('input', types.json, (c) => c.notNull())
        .addColumn('state', types.json, (c) => c.notNull())
        .addColumn('error', types.json)
        .addColumn('artifacts', types.json, (c) => c.notNull())
        .execute();
      // list(): newest first, optionally filtered by status or pipeline, keyset on (created_at, job_id).
      await db.schema
        .createIndex(`${HISTORY_TABLE}_created_idx`)
        .ifNotExists()
        .on(HISTORY_TABLE)
        .columns(['created_at', 'job_id'])
        .execute();
      await db.schema
        .createIndex(`${HISTORY_TABLE}_status_idx`)
        .ifNotExists()
        .on(HISTORY_TABLE)
        .columns(['status', 'created_at', 'job_id'])
        .execute();
      await db.schema
        .createIndex(`${HISTORY_TABLE}_pipeline_idx`)
        .ifNotExists()
        .on(HISTORY_TABLE)
        .columns(['pipeline', 'created_at', 'job_id'])
        .execute();
      // purgeOlderThan(): range on finished_at.
      await db.schema
        .createIndex(`${HISTORY_TABLE}_finished_idx`)
        .ifNotExists()
        .on(HISTORY_TABLE)
        .column('finished_at')
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable(HISTORY_TABLE).ifExists().execute();
    },
  };
}

/** Every migration for one dialect, by name; names sort in the order they run. */
export function historyMigrations(kind: JobHistoryKind): Record<string, Migration> {
  const types = COLUMN_TYPES[kind];
  return {
    '0001_create_job_history': createJobHistory(types),
  };
}

export class HistoryMigrationProvider implements MigrationProvider {
  constructor(private readonly kind: JobHistoryKind) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    return historyMigrations(this.kind);
  }
}
