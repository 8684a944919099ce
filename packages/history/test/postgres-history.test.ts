import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PostgresJobHistory } from '../src/postgres/postgres-history.js';
import type { JobHistory } from '../src/types.js';
import { expectCode, makeEntry, runHistoryConformance } from './conformance.js';
import { createTestDatabase, queryDatabase, type TestDatabase } from './postgres-support.js';

runHistoryConformance('PostgresJobHistory', async () => {
  const database = await createTestDatabase();
  const stores: JobHistory[] = [];
  return {
    open() {
      const store = new PostgresJobHistory({ url: database.url, poolSize: 4 });
      stores.push(store);
      return store;
    },
    async dispose() {
      await Promise.all(stores.map((s) => s.close()));
      await database.drop();
    },
  };
});

/** A port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('PostgresJobHistory', () => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    await database.drop();
  });

  it('creates the table with jsonb and timestamptz columns and the list indexes', async () => {
    const store = new PostgresJobHistory({ url: database.url });
    expect(store.kind).toBe('postgres');
    await store.init();
    await store.upsert(makeEntry({ input: { prompt: 'hello', nested: { a: [1, 2] } } }));
    await store.close();

    const columns = await queryDatabase<{ column_name: string; data_type: string }>(
      database.url,
      `select column_name, data_type from information_schema.columns
       where table_name = 'job_history' order by ordinal_position`,
    );
    expect(Object.fromEntries(columns.map((c) => [c.column_name, c.data_type]))).toEqual({
      job_id: 'text',
      pipeline: 'text',
      status: 'text',
      progress: 'double precision',
      created_at: 'timestamp with time zone',
      updated_at: 'timestamp with time zone',
      finished_at: 'timestamp with time zone',
      input: 'jsonb',
      state: 'jsonb',
      error: 'jsonb',
      artifacts: 'jsonb',
    });
    const indexes = await queryDatabase<{ indexname: string }>(
      database.url,
      "select indexname from pg_indexes where tablename = 'job_history' order by indexname",
    );
    expect(indexes.map((i) => i.indexname)).toEqual([
      'job_history_created_idx',
      'job_history_finished_idx',
      'job_history_pipeline_idx',
      'job_history_pkey',
      'job_history_status_idx',
    ]);
    // The JSON is real jsonb: the database can query into it.
    const rows = await queryDatabase<{ a: number }>(
      database.url,
      "select (input -> 'nested' -> 'a' ->> 1)::int as a from job_history",
    );
    expect(rows).toEqual([{ a: 2 }]);
  });

  it('migrates once when several instances start together', async () => {
    const stores = Array.from(
      { length: 4 },
      () => new PostgresJobHistory({ url: database.url, poolSize: 2 }),
    );
    await Promise.all(stores.map((s) => s.init()));
    const entry = makeEntry();
    const [first, ...others] = stores;
    if (!first) throw new Error('no store');
    await first.upsert(entry);
    for (const other of others) expect(await other.get(entry.jobId)).toEqual(entry);
    const applied = await queryDatabase<{ name: string }>(
      database.url,
      'select name from job_history_migration',
    );
    expect(applied).toEqual([{ name: '0001_create_job_history' }]);
    await Promise.all(stores.map((s) => s.close()));
  });

  it('ends its pool on close', async () => {
    const store = new PostgresJobHistory({ url: database.url, poolSize: 3 });
    await store.init();
    await Promise.all([store.list({ limit: 5 }), store.listActive(), store.get('job-1')]);
    expect(store.connections).toBeGreaterThan(0);
    await store.close();
    expect(store.connections).toBe(0);
    expect(await store.ping()).toBe(false);
    const sessions = await queryDatabase<{ n: number }>(
      database.url,
      "select count(*)::int as n from pg_stat_activity where datname = $1 and application_name = 'myspinbot-history'",
      [database.name],
    );
    expect(sessions).toEqual([{ n: 0 }]);
  });
});

describe('PostgresJobHistory without a server', () => {
  let blackHole: Server;
  let blackHolePort = 0;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    // Accepts connections and never answers: only the connection timeout ends the wait.
    blackHole = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const address = blackHole.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    blackHolePort = address.port;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => blackHole.close(() => resolve()));
  });

  it('fails init quickly with HISTORY_UNAVAILABLE (retryable) when the port is closed', async () => {
    const port = await closedPort();
    const store = new PostgresJobHistory({ url: `postgres://postgres@127.0.0.1:${port}/postgres` });
    const started = Date.now();
    await expectCode(store.init(), 'HISTORY_UNAVAILABLE', true);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await store.ping()).toBe(false);
    await store.close();
  });

  it('gives up connecting after the connection timeout (about 2 s)', async () => {
    const store = new PostgresJobHistory({ url: `postgres://postgres@127.0.0.1:${blackHolePort}/postgres` });
    const started = Date.now();
    await expectCode(store.init(), 'HISTORY_UNAVAILABLE', true);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1500);
    expect(elapsed).toBeLessThan(5000);
    await store.close();
  });

  it('never puts the password into its error messages', async () => {
    const port = await closedPort();
    const store = new PostgresJobHistory({ url: `postgres://postgres:s3cret-pw@127.0.0.1:${port}/postgres` });
    const error = await store.init().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'HISTORY_UNAVAILABLE' });
    expect(String((error as Error).message)).not.toContain('s3cret-pw');
    await store.close();
  });

  it('refuses a URL that is not postgres:// with CONFIG_INVALID', () => {
    expect(() => new PostgresJobHistory({ url: 'mysql://u@h/db' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
    expect(() => new PostgresJobHistory({ url: 'not a url' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
    expect(() => new PostgresJobHistory({ url: 'postgres://h/db', poolSize: 0 })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});
