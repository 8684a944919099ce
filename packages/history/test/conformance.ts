/**
 * The job history conformance suite: one behavioural contract, run against every JobHistory implementation.
 */
import { randomBytes } from 'node:crypto';
import type { JobState, JobStatus } from '@myspinbot/contracts';
import { MySpinBotError } from '@myspinbot/contracts';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeCursor } from '../src/cursor.js';
import type { JobHistory, JobHistoryEntry, ListQuery } from '../src/types.js';

export interface HistoryFixture {
  /** A new store, not yet initialised, on the fixture's data; every call is another instance on the same data. */
  open(): JobHistory;
  /** Closes every store opened and removes the data. */
  dispose(): Promise<void>;
}

const TERMINAL: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];
const BASE_MS = Date.UTC(2024, 4, 1, 10, 0, 0);

/** A canonical timestamp `minutes` after a fixed origin. */
export function at(minutes: number): string {
  return new Date(BASE_MS + minutes * 60_000).toISOString();
}

let sequence = 0;
export function uniqueJobId(label = 'job'): string {
  sequence += 1;
  return `${label}-${process.pid}-${sequence}-${randomBytes(4).toString('hex')}`;
}

export interface EntrySpec {
  jobId?: string;
  pipeline?: string;
  status?: JobStatus;
  progress?: number;
  createdAt?: string;
  updatedAt?: string;
  finishedAt?: string | null;
  input?: Record<string, unknown>;
}

/** A valid entry whose state agrees with its summary fields. */
export function makeEntry(spec: EntrySpec = {}): JobHistoryEntry {
  const jobId = spec.jobId ?? uniqueJobId();
  const status = spec.status ?? 'queued';
  const terminal = TERMINAL.includes(status);
  const pipeline = spec.pipeline ?? 'talking-portrait';
  const progress = spec.progress ?? (status === 'completed' ? 1 : 0);
  const createdAt = spec.createdAt ?? at(0);
  const updatedAt = spec.updatedAt ?? createdAt;
  const finishedAt = spec.finishedAt !== undefined ? spec.finishedAt : terminal ? updatedAt : null;
  const state: JobState = {
    jobId,
    status,
    progress,
    pipeline,
    createdAt,
    updatedAt,
    nodes: [
      {
        id: 'n0',
        name: 'portrait',
        service: 'diag.noop',
        plane: 'node',
        status: status === 'queued' ? 'pending' : status,
        progress,
      },
    ],
  };
  return {
    jobId,
    pipeline,
    status,
    progress,
    createdAt,
    updatedAt,
    finishedAt,
    input: spec.input ?? { prompt: 'say hello' },
    state,
    error: null,
    artifacts: [],
  };
}

/** A thrown MySpinBotError with this code (and retryable flag when given). */
export async function expectCode(
  promise: Promise<unknown>,
  code: string,
  retryable?: boolean,
): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MySpinBotError);
  if (!(error instanceof MySpinBotError)) return;
  expect(error.code).toBe(code);
  if (retryable !== undefined) expect(error.retryable).toBe(retryable);
}

/** Newest first: createdAt descending, then jobId descending. */
function newestFirst(a: JobHistoryEntry, b: JobHistoryEntry): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  if (a.jobId === b.jobId) return 0;
  return a.jobId < b.jobId ? 1 : -1;
}

/** Every page of a query, following nextCursor; `between` runs after each page. */
async function pageThrough(
  store: JobHistory,
  query: ListQuery,
  between: (pageIndex: number) => Promise<void> = async () => undefined,
): Promise<{ ids: string[]; totals: number[]; pages: number }> {
  const ids: string[] = [];
  const totals: number[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await store.list(cursor === undefined ? query : { ...query, cursor });
    pages += 1;
    expect(page.items.length).toBeLessThanOrEqual(query.limit);
    ids.push(...page.items.map((e) => e.jobId));
    totals.push(page.total);
    await between(pages - 1);
    if (page.nextCursor === null) return { ids, totals, pages };
    expect(page.items.length).toBe(query.limit);
    cursor = page.nextCursor;
    if (pages > 1000) throw new Error('paging does not end');
  }
}

export function runHistoryConformance(name: string, create: () => Promise<HistoryFixture>): void {
  describe(`JobHistory conformance: ${name}`, () => {
    let fixture: HistoryFixture;
    let store: JobHistory;

    beforeEach(async () => {
      fixture = await create();
      store = fixture.open();
      await store.init();
    });

    afterEach(async () => {
      await fixture.dispose();
    });

    it('answers ping after init', async () => {
      expect(await store.ping()).toBe(true);
    });

    it('round-trips an entry with its JSON fields intact (unicode, nested objects)', async () => {
      const jobId = uniqueJobId('round');
      const base = makeEntry({ jobId, status: 'failed', progress: 0.5, updatedAt: at(3) });
      const entry: JobHistoryEntry = {
        ...base,
        pipeline: 'portrait-ünïcödé',
        input: {
          prompt: 'Grüße aus Köln — 你好，世界 🎬👩🏽‍🚀 שלום "quoted" \\ back\\slash \n newline \t tab',
          options: { voice: { pitch: -1.25, speed: 1e-3, tags: ['a', 'ß', '😀'] }, seed: 9007199254740991 },
          nothing: null,
          flags: [true, false, { deep: { deeper: { deepest: [1, [2, [3]]] } } }],
          empty: {},
          literalEscape: 'not a NUL: \\u0000',
          image: { key: `jobs/${jobId}/input/portrait.png`, contentType: 'image/png' },
        },
        state: {
          ...base.state,
          currentPlane: 'python',
          currentNodeId: 'n1',
          error: { nodeId: 'n1', code: 'NO_FACE_FOUND', message: 'kein Gesicht 😶', retryable: false },
          nodes: [
            {
              id: 'n0',
              name: 'portrait',
              service: 'diag.noop',
              plane: 'node',
              status: 'completed',
              progress: 1,
              attempts: 1,
              timings: { startedAt: at(1), finishedAt: at(2), durationMs: 60_000 },
            },
            {
              id: 'n1',
              name: 'face ✂️',
              service: 'portrait.detect',
              plane: 'python',
              status: 'failed',
              progress: 0.5,
              attempts: 2,
              error: {
                code: 'NO_FACE_FOUND',
                message: 'kein Gesicht 😶',
                retryable: false,
                details: { boxes: [], tried: { scales: [0.5, 1] } },
              },
            },
          ],
        },
        error: {
          nodeId: 'n1',
          code: 'NO_FACE_FOUND',
          message: 'kein Gesicht 😶',
          retryable: false,
          details: { boxes: [], tried: { scales: [0.5, 1] } },
        },
        artifacts: [
          {
            key: `jobs/${jobId}/n0/portrait.png`,
            jobId,
            nodeId: 'n0',
            name: 'portrait.png',
            contentType: 'image/png',
            size: 12345,
            sha256: 'a'.repeat(64),
            createdAt: at(2),
          },
        ],
      };
      expect(await store.upsert(entry)).toBe(true);
      expect(await store.get(jobId)).toEqual(entry);
      expect(await store.get(uniqueJobId('missing'))).toBeNull();
      expect(await store.get('not a valid id!')).toBeNull();
    });

    it('returns timestamps in canonical UTC form', async () => {
      const entry = makeEntry({
        createdAt: '2024-05-01T12:00:00+02:00',
        updatedAt: '2024-05-01T10:30:00.5Z',
      });
      await store.upsert(entry);
      const stored = await store.get(entry.jobId);
      expect(stored?.createdAt).toBe('2024-05-01T10:00:00.000Z');
      expect(stored?.updatedAt).toBe('2024-05-01T10:30:00.500Z');
      expect(stored?.finishedAt).toBeNull();
      // The state is stored as given.
      expect(stored?.state.createdAt).toBe('2024-05-01T12:00:00+02:00');
    });

    it('never lets an older update overwrite a newer one, and keeps createdAt and input', async () => {
      const jobId = uniqueJobId('order');
      const first = makeEntry({
        jobId,
        status: 'queued',
        createdAt: at(0),
        updatedAt: at(0),
        input: { prompt: 'v1' },
      });
      const newest = makeEntry({
        jobId,
        status: 'completed',
        createdAt: at(50),
        updatedAt: at(10),
        input: { prompt: 'changed' },
      });
      const older = makeEntry({
        jobId,
        status: 'running',
        progress: 0.4,
        createdAt: at(0),
        updatedAt: at(5),
      });
      expect(await store.upsert(first)).toBe(true);
      expect(await store.upsert(newest)).toBe(true);
      expect(await store.upsert(older)).toBe(false);

      const stored = await store.get(jobId);
      expect(stored?.status).toBe('completed');
      expect(stored?.progress).toBe(1);
      expect(stored?.updatedAt).toBe(at(10));
      expect(stored?.finishedAt).toBe(at(10));
      expect(stored?.state).toEqual(newest.state);
      expect(stored?.createdAt).toBe(at(0));
      expect(stored?.input).toEqual({ prompt: 'v1' });

      // An update with the same updatedAt is written (the latest writer of an instant wins).
      const same = { ...newest, state: { ...newest.state, currentNodeId: 'n0' } };
      expect(await store.upsert(same)).toBe(true);
      expect((await store.get(jobId))?.state.currentNodeId).toBe('n0');
    });

    it('keeps the newest of concurrent updates to one job', async () => {
      const jobId = uniqueJobId('race');
      const versions = Array.from({ length: 12 }, (_, i) =>
        makeEntry({ jobId, status: 'running', progress: i / 20, updatedAt: at(i) }),
      );
      const shuffled = [...versions].sort(() => Math.random() - 0.5);
      await Promise.all(shuffled.map((v) => store.upsert(v)));
      const stored = await store.get(jobId);
      expect(stored?.updatedAt).toBe(at(11));
      expect(stored?.progress).toBeCloseTo(11 / 20, 10);
    });

    it('lists newest first and pages through every row exactly once while new jobs arrive', async () => {
      // Ties on createdAt are broken by jobId (descending).
      const originals = [
        makeEntry({ jobId: 'page-a', createdAt: at(1) }),
        makeEntry({ jobId: 'page-b', createdAt: at(2) }),
        makeEntry({ jobId: 'page-c', createdAt: at(2) }),
        makeEntry({ jobId: 'page-d', createdAt: at(2) }),
        makeEntry({ jobId: 'page-e', createdAt: at(3) }),
        makeEntry({ jobId: 'page-f', createdAt: at(4), status: 'completed' }),
        makeEntry({ jobId: 'page-g', createdAt: at(5), status: 'failed' }),
      ];
      for (const entry of [...originals].reverse()) await store.upsert(entry);
      const expected = ['page-g', 'page-f', 'page-e', 'page-d', 'page-c', 'page-b', 'page-a'];

      const firstPage = await store.list({ limit: 100 });
      expect(firstPage.items.map((e) => e.jobId)).toEqual(expected);
      expect(firstPage.total).toBe(7);
      expect(firstPage.nextCursor).toBeNull();
      expect(firstPage.items[0]).toEqual(originals[6]);

      let arrivals = 0;
      const newcomers: string[] = [];
      for (const limit of [2, 3]) {
        const { ids, totals } = await pageThrough(store, { limit }, async () => {
          // A job submitted now is newer than every original.
          arrivals += 1;
          const jobId = `page-new-${limit}-${arrivals}`;
          newcomers.push(jobId);
          await store.upsert(makeEntry({ jobId, createdAt: at(100 + arrivals) }));
        });
        const seen = ids.filter((id) => !newcomers.includes(id));
        expect(seen).toEqual(expected);
        expect(new Set(ids).size).toBe(ids.length);
        expect(totals[0]).toBe(7 + (limit === 3 ? 4 : 0));
      }
    });

    it('filters by status and pipeline with matching totals', async () => {
      const rows = [
        makeEntry({ pipeline: 'p1', status: 'queued', createdAt: at(1) }),
        makeEntry({ pipeline: 'p1', status: 'running', createdAt: at(2) }),
        makeEntry({ pipeline: 'p1', status: 'completed', createdAt: at(3) }),
        makeEntry({ pipeline: 'p2', status: 'completed', createdAt: at(4) }),
        makeEntry({ pipeline: 'p2', status: 'failed', createdAt: at(5) }),
        makeEntry({ pipeline: 'p2', status: 'cancelled', createdAt: at(6) }),
        makeEntry({ pipeline: 'p3', status: 'running', createdAt: at(7) }),
      ];
      for (const row of rows) await store.upsert(row);
      const idsOf = (selected: JobHistoryEntry[]) => selected.map((e) => e.jobId);
      const expectPage = async (query: ListQuery, selected: JobHistoryEntry[]) => {
        const page = await store.list(query);
        expect(idsOf(page.items)).toEqual(idsOf([...selected].sort(newestFirst)).slice(0, query.limit));
        expect(page.total).toBe(selected.length);
        expect(page.nextCursor === null).toBe(selected.length <= query.limit);
      };
      const [q1, r1, c1, c2, f2, x2, r3] = rows;
      if (!q1 || !r1 || !c1 || !c2 || !f2 || !x2 || !r3) throw new Error('rows missing');

      await expectPage({ limit: 10 }, rows);
      await expectPage({ limit: 10, status: ['completed'] }, [c1, c2]);
      await expectPage({ limit: 10, status: ['queued', 'running'] }, [q1, r1, r3]);
      await expectPage({ limit: 10, pipeline: 'p2' }, [c2, f2, x2]);
      await expectPage({ limit: 10, pipeline: 'p1', status: ['completed', 'failed'] }, [c1]);
      await expectPage({ limit: 1, pipeline: 'p2', status: ['completed', 'failed', 'cancelled'] }, [
        c2,
        f2,
        x2,
      ]);
      await expectPage({ limit: 10, pipeline: 'nope' }, []);
      await expectPage({ limit: 10, status: [] }, []);

      const { ids, totals } = await pageThrough(store, { limit: 2, status: ['running', 'failed'] });
      expect(ids).toEqual(idsOf([r3, f2, r1]));
      expect(totals).toEqual([3, 3]);
    });

    it('rejects a malformed cursor and a bad page size with SCHEMA_INVALID', async () => {
      await store.upsert(makeEntry());
      const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
      const malformed = [
        '',
        'not a cursor!',
        b64('not json'),
        b64('{"createdAt":"2024-05-01T10:00:00.000Z","jobId":"x"}'),
        b64('["2024-05-01T10:00:00.000Z"]'),
        b64('["2024-05-01T10:00:00Z","job-1"]'),
        b64('["yesterday","job-1"]'),
        b64('["2024-05-01T10:00:00.000Z","bad id!"]'),
        b64('["2024-05-01T10:00:00.000Z",42]'),
        `${encodeCursor({ createdAt: at(0), jobId: 'job-1' })}=`,
        'A'.repeat(600),
      ];
      for (const cursor of malformed) await expectCode(store.list({ limit: 5, cursor }), 'SCHEMA_INVALID');
      for (const limit of [0, 101, 1.5, Number.NaN])
        await expectCode(store.list({ limit }), 'SCHEMA_INVALID');
      await expectCode(
        store.list({ limit: 5, status: ['done'] as unknown as JobStatus[] }),
        'SCHEMA_INVALID',
        false,
      );
      // A well-formed cursor for a row that no longer exists still pages from its position.
      const page = await store.list({ limit: 5, cursor: encodeCursor({ createdAt: at(1), jobId: 'gone' }) });
      expect(page.items).toHaveLength(1);
    });

    it('lists the active (queued or running) jobs, oldest first', async () => {
      const queued = makeEntry({ status: 'queued', createdAt: at(3) });
      const running = makeEntry({ status: 'running', progress: 0.3, createdAt: at(1) });
      const done = makeEntry({ status: 'completed', createdAt: at(2) });
      const failed = makeEntry({ status: 'failed', createdAt: at(0) });
      for (const entry of [queued, running, done, failed]) await store.upsert(entry);
      expect((await store.listActive()).map((e) => e.jobId)).toEqual([running.jobId, queued.jobId]);
      // The job finishes: it leaves the active list.
      await store.upsert(
        makeEntry({ jobId: running.jobId, status: 'completed', createdAt: at(1), updatedAt: at(9) }),
      );
      expect(await store.listActive()).toEqual([queued]);
    });

    it('deletes one job', async () => {
      const keep = makeEntry();
      const drop = makeEntry();
      await store.upsert(keep);
      await store.upsert(drop);
      expect(await store.delete(drop.jobId)).toBe(true);
      expect(await store.delete(drop.jobId)).toBe(false);
      expect(await store.delete('not a valid id!')).toBe(false);
      expect(await store.get(drop.jobId)).toBeNull();
      expect(await store.get(keep.jobId)).toEqual(keep);
      expect((await store.list({ limit: 10 })).total).toBe(1);
    });

    it('purges only finished jobs that finished before the bound', async () => {
      const oldDone = makeEntry({ status: 'completed', createdAt: at(0), updatedAt: at(10) });
      const oldFailed = makeEntry({ status: 'failed', createdAt: at(0), updatedAt: at(20) });
      const oldCancelled = makeEntry({ status: 'cancelled', createdAt: at(0), updatedAt: at(29) });
      const atBound = makeEntry({ status: 'completed', createdAt: at(0), updatedAt: at(30) });
      const recentDone = makeEntry({ status: 'completed', createdAt: at(0), updatedAt: at(40) });
      const oldQueued = makeEntry({ status: 'queued', createdAt: at(-1000), updatedAt: at(-1000) });
      const oldRunning = makeEntry({ status: 'running', createdAt: at(-1000), updatedAt: at(-999) });
      const all = [oldDone, oldFailed, oldCancelled, atBound, recentDone, oldQueued, oldRunning];
      for (const entry of all) await store.upsert(entry);

      expect(await store.purgeOlderThan(at(30))).toBe(3);
      const left = (await store.list({ limit: 100 })).items.map((e) => e.jobId).sort();
      expect(left).toEqual([atBound, recentDone, oldQueued, oldRunning].map((e) => e.jobId).sort());
      expect(await store.purgeOlderThan(at(30))).toBe(0);
      await expectCode(store.purgeOlderThan('last week'), 'SCHEMA_INVALID');
    });

    it('runs migrations idempotently; a second instance sees the data (history survives a restart)', async () => {
      const entry = makeEntry({ status: 'running', progress: 0.25 });
      await store.upsert(entry);
      await store.init();
      await store.init();

      const second = fixture.open();
      await Promise.all([second.init(), second.init()]);
      expect(await second.get(entry.jobId)).toEqual(entry);

      // The first process goes away; a new one starts on the same data.
      await store.close();
      await store.close();
      expect(await store.ping()).toBe(false);
      await expectCode(store.get(entry.jobId), 'HISTORY_UNAVAILABLE', false);
      await expectCode(store.init(), 'HISTORY_UNAVAILABLE', false);

      const restarted = fixture.open();
      await restarted.init();
      expect(await restarted.listActive()).toEqual([entry]);
      const later = makeEntry({ jobId: entry.jobId, status: 'completed', updatedAt: at(60) });
      expect(await restarted.upsert(later)).toBe(true);
      expect((await second.get(entry.jobId))?.status).toBe('completed');
    });

    it('refuses operations before init', async () => {
      const fresh = fixture.open();
      await expectCode(fresh.get('job-1'), 'HISTORY_UNAVAILABLE', false);
      await expectCode(fresh.list({ limit: 1 }), 'HISTORY_UNAVAILABLE', false);
      await expectCode(fresh.upsert(makeEntry()), 'HISTORY_UNAVAILABLE', false);
      await fresh.close();
    });

    it('rejects an invalid entry with SCHEMA_INVALID and writes nothing', async () => {
      const stored = makeEntry({ status: 'running', progress: 0.5, updatedAt: at(1) });
      await store.upsert(stored);
      const newer = makeEntry({ jobId: stored.jobId, status: 'running', progress: 0.9, updatedAt: at(5) });
      const fresh = makeEntry();
      const broken = (entry: JobHistoryEntry, change: Record<string, unknown>) =>
        ({ ...entry, ...change }) as JobHistoryEntry;
      const withState = (entry: JobHistoryEntry, change: Record<string, unknown>) =>
        broken(entry, { state: { ...entry.state, ...change } });
      const cases: JobHistoryEntry[] = [
        withState(newer, { nodes: undefined }),
        withState(newer, { status: 'paused' }),
        withState(newer, { progress: 2 }),
        withState(newer, { jobId: 'someone-else' }),
        withState(newer, { unexpected: true }),
        broken(newer, { state: null }),
        broken(newer, { status: 'paused' }),
        broken(newer, { progress: -0.1 }),
        broken(newer, { updatedAt: 'soon' }),
        broken(newer, { finishedAt: at(5) }),
        broken(newer, { input: ['not', 'an', 'object'] }),
        broken(newer, { input: { prompt: 'nul \u0000 inside' } }),
        broken(newer, { input: { prompt: 'lone \ud800 surrogate' } }),
        broken(newer, { error: { code: 'lowercase', message: 'x', retryable: false } }),
        broken(newer, { artifacts: [{ key: 'nope' }] }),
        broken(fresh, { jobId: 'bad id!' }),
        broken(fresh, { pipeline: '' }),
        broken(makeEntry({ jobId: fresh.jobId, status: 'completed' }), { finishedAt: null }),
      ];
      for (const entry of cases) await expectCode(store.upsert(entry), 'SCHEMA_INVALID', false);
      expect(await store.get(stored.jobId)).toEqual(stored);
      expect(await store.get(fresh.jobId)).toBeNull();
      expect((await store.list({ limit: 100 })).total).toBe(1);
    });

    it('pages any set of jobs into exactly the full sorted list (property)', async () => {
      let run = 0;
      const statuses: JobStatus[] = ['queued', 'running', 'completed', 'failed', 'cancelled'];
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(
            fc.record({
              id: fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/),
              minute: fc.integer({ min: 0, max: 5 }),
              status: fc.constantFrom(...statuses),
            }),
            { selector: (job) => job.id, maxLength: 25 },
          ),
          fc.integer({ min: 1, max: 8 }),
          fc.option(fc.subarray(statuses, { minLength: 1 }), { nil: undefined }),
          async (jobs, limit, status) => {
            // Each run uses its own pipeline, so runs never see each other's rows.
            run += 1;
            const pipeline = `prop-${run}`;
            const entries = jobs.map((job) =>
              makeEntry({
                jobId: `${run}-${job.id}`,
                pipeline,
                status: job.status,
                createdAt: at(job.minute),
              }),
            );
            for (const entry of entries) await store.upsert(entry);
            const expected = entries
              .filter((e) => status === undefined || status.includes(e.status))
              .sort(newestFirst)
              .map((e) => e.jobId);
            const query: ListQuery = status === undefined ? { limit, pipeline } : { limit, pipeline, status };
            const { ids, totals, pages } = await pageThrough(store, query);
            expect(ids).toEqual(expected);
            expect(totals.every((t) => t === expected.length)).toBe(true);
            expect(pages).toBe(Math.max(1, Math.ceil(expected.length / limit)));
          },
        ),
        { numRuns: 40 },
      );
    });
  });
}
