/**
 * The JobHistory behaviour both SQL stores share, written once with Kysely. A dialect supplies the Kysely
 * instance, how to read its values back (RowCodec) and which driver errors mean "cannot reach the
 * database" (HISTORY_UNAVAILABLE, retryable); every other driver error is rethrown as it is.
 */
import { type ArtifactRef, type JobFailure, type JobState, MySpinBotError } from '@myspinbot/contracts';
import { type IsolationLevel, type Kysely, Migrator, type Selectable, sql, type Transaction } from 'kysely';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { JobHistory, JobHistoryEntry, JobHistoryKind, ListPage, ListQuery } from '../types.js';
import { ACTIVE_STATUSES, checkEntry, checkListQuery, checkTimestamp, isJobId } from '../validate.js';
import { HistoryMigrationProvider } from './migrations.js';
import {
  HISTORY_TABLE,
  type HistoryDatabase,
  type JobHistoryTable,
  MIGRATION_LOCK_TABLE,
  MIGRATION_TABLE,
  type RowCodec,
} from './schema.js';

export interface SqlBackend<K extends JobHistoryKind> {
  kind: K;
  db: Kysely<HistoryDatabase>;
  codec: RowCodec;
  /** Where the data lives, for error messages (never with credentials). */
  location: string;
  /** Whether an error thrown by the driver means the database cannot be reached now. */
  isUnavailable(error: unknown): boolean;
  /** Isolation of list(), so its items and total come from one snapshot (undefined: the dialect default). */
  listIsolation?: IsolationLevel;
}

type Phase = 'new' | 'ready' | 'closed';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}

export class SqlJobHistory<K extends JobHistoryKind> implements JobHistory {
  readonly kind: K;
  private readonly db: Kysely<HistoryDatabase>;
  private readonly codec: RowCodec;
  private phase: Phase = 'new';
  private initializing: Promise<void> | null = null;

  constructor(private readonly backend: SqlBackend<K>) {
    this.kind = backend.kind;
    this.db = backend.db;
    this.codec = backend.codec;
  }

  /** Connects and migrates to the latest schema; concurrent and repeated calls share the work. */
  async init(): Promise<void> {
    if (this.phase === 'closed') throw this.closedError();
    if (this.phase === 'ready') return;
    this.initializing ??= this.migrate().finally(() => {
      this.initializing = null;
    });
    await this.initializing;
  }

  private async migrate(): Promise<void> {
    try {
      await sql`select 1`.execute(this.db);
      const migrator = new Migrator({
        db: this.db,
        provider: new HistoryMigrationProvider(this.kind),
        migrationTableName: MIGRATION_TABLE,
        migrationLockTableName: MIGRATION_LOCK_TABLE,
      });
      const { error } = await migrator.migrateToLatest();
      if (error !== undefined) throw error;
    } catch (error) {
      throw new MySpinBotError(
        'HISTORY_UNAVAILABLE',
        `job history (${this.backend.location}) could not be opened: ${messageOf(error)}`,
        { retryable: this.backend.isUnavailable(error), cause: error },
      );
    }
    if (this.phase === 'new') this.phase = 'ready';
  }

  async close(): Promise<void> {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    await this.initializing?.catch(() => undefined);
    await this.db.destroy();
  }

  async ping(): Promise<boolean> {
    if (this.phase === 'closed') return false;
    try {
      await sql`select 1`.execute(this.db);
      return true;
    } catch {
      return false;
    }
  }

  async upsert(entry: JobHistoryEntry): Promise<boolean> {
    const row = checkEntry(entry);
    return this.run('upsert', async () => {
      const written = await this.db
        .insertInto(HISTORY_TABLE)
        .values({
          job_id: row.jobId,
          pipeline: row.pipeline,
          status: row.status,
          progress: row.progress,
          created_at: row.createdAt,
          updated_at: row.updatedAt,
          finished_at: row.finishedAt,
          input: row.input,
          state: row.state,
          error: row.error,
          artifacts: row.artifacts,
        })
        .onConflict((oc) =>
          oc
            .column('job_id')
            // created_at and input are what the job was submitted with: an update keeps them.
            .doUpdateSet((eb) => ({
              pipeline: eb.ref('excluded.pipeline'),
              status: eb.ref('excluded.status'),
              progress: eb.ref('excluded.progress'),
              updated_at: eb.ref('excluded.updated_at'),
              finished_at: eb.ref('excluded.finished_at'),
              state: eb.ref('excluded.state'),
              error: eb.ref('excluded.error'),
              artifacts: eb.ref('excluded.artifacts'),
            }))
            // An older state never overwrites a newer one; an equal timestamp does (last writer wins).
            .where((eb) => eb(`${HISTORY_TABLE}.updated_at`, '<=', eb.ref('excluded.updated_at'))),
        )
        .returning('job_id')
        .executeTakeFirst();
      return written !== undefined;
    });
  }

  async get(jobId: string): Promise<JobHistoryEntry | null> {
    if (!isJobId(jobId)) {
      this.assertReady();
      return null;
    }
    return this.run('get', async () => {
      const row = await this.db
        .selectFrom(HISTORY_TABLE)
        .selectAll()
        .where('job_id', '=', jobId)
        .executeTakeFirst();
      return row === undefined ? null : this.toEntry(row);
    });
  }

  async list(query: ListQuery): Promise<ListPage> {
    const { limit, status, pipeline } = checkListQuery(query);
    const after = query.cursor === undefined ? null : decodeCursor(query.cursor);
    if (status !== undefined && status.length === 0) {
      this.assertReady();
      return { items: [], nextCursor: null, total: 0 };
    }
    return this.run('list', () => {
      const read = async (trx: Transaction<HistoryDatabase>): Promise<ListPage> => {
        let filtered = trx.selectFrom(HISTORY_TABLE);
        if (status !== undefined) filtered = filtered.where('status', 'in', status);
        if (pipeline !== undefined) filtered = filtered.where('pipeline', '=', pipeline);
        const counted = await filtered.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
        let page = filtered.selectAll();
        if (after !== null) {
          // Strictly after the cursor row in (created_at desc, job_id desc) order.
          page = page.where((eb) =>
            eb.or([
              eb('created_at', '<', after.createdAt),
              eb.and([eb('created_at', '=', after.createdAt), eb('job_id', '<', after.jobId)]),
            ]),
          );
        }
        // One row more than asked tells whether another page follows.
        const rows = await page
          .orderBy('created_at', 'desc')
          .orderBy('job_id', 'desc')
          .limit(limit + 1)
          .execute();
        const items = rows.slice(0, limit).map((row) => this.toEntry(row));
        const last = items.at(-1);
        const nextCursor =
          rows.length > limit && last !== undefined
            ? encodeCursor({ createdAt: last.createdAt, jobId: last.jobId })
            : null;
        return { items, nextCursor, total: Number(counted?.n ?? 0) };
      };
      const transaction = this.db.transaction();
      const isolation = this.backend.listIsolation;
      return (isolation === undefined ? transaction : transaction.setIsolationLevel(isolation)).execute(read);
    });
  }

  async listActive(): Promise<JobHistoryEntry[]> {
    return this.run('listActive', async () => {
      const rows = await this.db
        .selectFrom(HISTORY_TABLE)
        .selectAll()
        .where('status', 'in', [...ACTIVE_STATUSES])
        .orderBy('created_at', 'asc')
        .orderBy('job_id', 'asc')
        .execute();
      return rows.map((row) => this.toEntry(row));
    });
  }

  async delete(jobId: string): Promise<boolean> {
    if (!isJobId(jobId)) {
      this.assertReady();
      return false;
    }
    return this.run('delete', async () => {
      const result = await this.db.deleteFrom(HISTORY_TABLE).where('job_id', '=', jobId).executeTakeFirst();
      return result.numDeletedRows > 0n;
    });
  }

  async purgeOlderThan(before: string): Promise<number> {
    const bound = checkTimestamp(before, 'purge bound');
    return this.run('purgeOlderThan', async () => {
      // finished_at is set exactly for terminal statuses (checked on write), so active jobs never match.
      const result = await this.db
        .deleteFrom(HISTORY_TABLE)
        .where('finished_at', '<', bound)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }

  /**
   * Rows were validated when written, so their JSON is trusted to have the entry's shapes.
   */
  private toEntry(row: Selectable<JobHistoryTable>): JobHistoryEntry {
    const { codec } = this;
    return {
      jobId: row.job_id,
      pipeline: row.pipeline,
      status: row.status,
      progress: Number(row.progress),
      createdAt: codec.timestamp(row.created_at),
      updatedAt: codec.timestamp(row.updated_at),
      finishedAt: row.finished_at === null ? null : codec.timestamp(row.finished_at),
      input: codec.json(row.input) as Record<string, unknown>,
      state: codec.json(row.state) as JobState,
      error: row.error === null ? null : (codec.json(row.error) as JobFailure),
      artifacts: codec.json(row.artifacts) as ArtifactRef[],
    };
  }

  private closedError(): MySpinBotError {
    return new MySpinBotError('HISTORY_UNAVAILABLE', `job history (${this.backend.location}) is closed`, {
      retryable: false,
    });
  }

  /** Operations need init() first: before it the schema may not exist. */
  private assertReady(): void {
    if (this.phase === 'closed') throw this.closedError();
    if (this.phase === 'new') {
      throw new MySpinBotError('HISTORY_UNAVAILABLE', 'job history used before init()', { retryable: false });
    }
  }

  /** Runs one operation; "cannot reach the database" becomes HISTORY_UNAVAILABLE, retryable. */
  private async run<T>(operation: string, body: () => Promise<T>): Promise<T> {
    this.assertReady();
    try {
      return await body();
    } catch (error) {
      if (error instanceof MySpinBotError || !this.backend.isUnavailable(error)) throw error;
      throw new MySpinBotError(
        'HISTORY_UNAVAILABLE',
        `job history (${this.backend.location}) ${operation} failed: ${messageOf(error)}`,
        { cause: error },
      );
    }
  }
}
