import { MySpinBotError } from '@myspinbot/contracts';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../src/cursor.js';
import { canonicalTimestamp, checkEntry, checkListQuery } from '../src/validate.js';
import { at, makeEntry } from './conformance.js';

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof MySpinBotError && error.code === 'SCHEMA_INVALID') {
      return (error.details?.problems as string[] | undefined) ?? [];
    }
    throw error;
  }
  throw new Error('accepted');
}

describe('canonicalTimestamp', () => {
  it('turns ISO-8601 date-times with a zone into UTC with milliseconds', () => {
    expect(canonicalTimestamp('2024-05-01T12:00:00+02:00')).toBe('2024-05-01T10:00:00.000Z');
    expect(canonicalTimestamp('2024-05-01T10:00:00.123456Z')).toBe('2024-05-01T10:00:00.123Z');
    expect(canonicalTimestamp('2024-05-01t10:00:00z')).toBe('2024-05-01T10:00:00.000Z');
  });

  it('refuses dates without a time or zone, other formats and out-of-range values', () => {
    for (const value of [
      '2024-05-01',
      '2024-05-01T10:00:00',
      'May 1, 2024',
      '2024-13-01T00:00:00Z',
      '',
      42,
      null,
    ]) {
      expect(canonicalTimestamp(value)).toBeNull();
    }
  });
});

describe('checkEntry', () => {
  it('names every problem by its path', () => {
    const entry = makeEntry();
    const problems = problemsOf(() =>
      checkEntry({ ...entry, progress: 3, createdAt: 'now', state: { ...entry.state, nodes: 'none' } }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\/state\/nodes: /),
        expect.stringMatching(/^\/progress: /),
        expect.stringMatching(/^\/createdAt: /),
      ]),
    );
    expect(problemsOf(() => checkEntry(null))).toEqual(['invalid history entry: not an object']);
  });

  it('refuses what PostgreSQL jsonb cannot hold, and only that', () => {
    const entry = makeEntry();
    expect(problemsOf(() => checkEntry({ ...entry, input: { a: 'x\u0000y' } }))).toEqual([
      '/input: contains U+0000 or a lone surrogate, which the history cannot store',
    ]);
    expect(problemsOf(() => checkEntry({ ...entry, input: { a: '\udc00' } }))).toHaveLength(1);
    // An escaped backslash followed by "u0000" is ordinary text; a surrogate pair is one character.
    expect(checkEntry({ ...entry, input: { a: '\\u0000 \\\\u0000 😀' } }).input).toBe(
      JSON.stringify({ a: '\\u0000 \\\\u0000 😀' }),
    );
  });

  it('requires finishedAt exactly for terminal statuses', () => {
    expect(checkEntry(makeEntry({ status: 'cancelled', updatedAt: at(2) })).finishedAt).toBe(at(2));
    expect(problemsOf(() => checkEntry(makeEntry({ status: 'failed', finishedAt: null })))).toEqual([
      '/finishedAt: required when the status is failed',
    ]);
    expect(problemsOf(() => checkEntry(makeEntry({ status: 'queued', finishedAt: at(1) })))).toEqual([
      '/finishedAt: must be null while queued',
    ]);
  });
});

describe('list query and cursor', () => {
  it('accepts page sizes 1..100 and known statuses; removes duplicate statuses', () => {
    expect(checkListQuery({ limit: 1 }).limit).toBe(1);
    expect(checkListQuery({ limit: 100, status: ['queued', 'queued'] }).status).toEqual(['queued']);
    expect(problemsOf(() => checkListQuery({ limit: 101 }))).toEqual([
      '/limit: must be an integer in 1..100',
    ]);
  });

  it('round-trips a sort key through the opaque cursor', () => {
    const key = { createdAt: at(7), jobId: 'job_A-9' };
    const cursor = encodeCursor(key);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(key);
  });
});
