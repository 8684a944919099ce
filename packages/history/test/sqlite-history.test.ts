import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteJobHistory } from '../src/sqlite/sqlite-history.js';
import type { JobHistory } from '../src/types.js';
import { makeEntry, runHistoryConformance } from './conformance.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'myspinbot-history-'));
}

runHistoryConformance('SqliteJobHistory', async () => {
  const dir = tempDir();
  // A folder that does not exist yet: the store creates it.
  const file = join(dir, 'data', 'nested', 'history.sqlite');
  const stores: JobHistory[] = [];
  return {
    open() {
      const store = new SqliteJobHistory({ file });
      stores.push(store);
      return store;
    },
    async dispose() {
      await Promise.all(stores.map((s) => s.close()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteJobHistory', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the file in WAL mode with the history table and its indexes', async () => {
    const file = join(dir, 'a', 'b', 'history.sqlite');
    const store = new SqliteJobHistory({ file });
    expect(store.kind).toBe('sqlite');
    expect(store.file).toBe(file);
    await store.init();
    await store.upsert(makeEntry());
    await store.close();

    const raw = new Database(file, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      const columns = raw.prepare('select name, type from pragma_table_info(?)').all('job_history');
      expect(columns).toEqual([
        { name: 'job_id', type: 'TEXT' },
        { name: 'pipeline', type: 'TEXT' },
        { name: 'status', type: 'TEXT' },
        { name: 'progress', type: 'REAL' },
        { name: 'created_at', type: 'TEXT' },
        { name: 'updated_at', type: 'TEXT' },
        { name: 'finished_at', type: 'TEXT' },
        { name: 'input', type: 'TEXT' },
        { name: 'state', type: 'TEXT' },
        { name: 'error', type: 'TEXT' },
        { name: 'artifacts', type: 'TEXT' },
      ]);
      const indexes = raw
        .prepare("select name from sqlite_master where type = 'index' and tbl_name = ? and sql is not null")
        .all('job_history')
        .map((row) => (row as { name: string }).name)
        .sort();
      expect(indexes).toEqual([
        'job_history_created_idx',
        'job_history_finished_idx',
        'job_history_pipeline_idx',
        'job_history_status_idx',
      ]);
      const stored = raw.prepare('select input from job_history').get() as { input: string };
      expect(JSON.parse(stored.input)).toEqual({ prompt: 'say hello' });
    } finally {
      raw.close();
    }
  });

  it('fails init with HISTORY_UNAVAILABLE when the file cannot be created', async () => {
    // The parent "folder" is a regular file.
    const blocker = join(dir, 'blocker');
    const first = new SqliteJobHistory({ file: blocker });
    await first.init();
    await first.close();
    const store = new SqliteJobHistory({ file: join(blocker, 'history.sqlite') });
    const error = await store.init().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'HISTORY_UNAVAILABLE' });
    expect(await store.ping()).toBe(false);
    await store.close();
  });

  it('lets two instances on one file write concurrently (busy timeout, WAL)', async () => {
    const file = join(dir, 'shared.sqlite');
    const a = new SqliteJobHistory({ file });
    const b = new SqliteJobHistory({ file });
    await a.init();
    await b.init();
    const entries = Array.from({ length: 40 }, () => makeEntry());
    await Promise.all(entries.map((entry, i) => (i % 2 === 0 ? a : b).upsert(entry)));
    expect((await a.list({ limit: 1 })).total).toBe(40);
    expect((await b.list({ limit: 1 })).total).toBe(40);
    await Promise.all([a.close(), b.close()]);
  });
});
