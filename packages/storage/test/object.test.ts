import { MySpinBotError } from '@myspinbot/contracts';
import { describe, expect, it } from 'vitest';
import { artifactRefOf, checkContentType, isContentType, resolveRange } from '../src/object.js';

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return error instanceof MySpinBotError ? error.code : `not a MySpinBotError: ${String(error)}`;
  }
  return 'no error';
}

describe('content types', () => {
  it('accepts type/subtype with parameters, printable ASCII, at most 255 characters', () => {
    for (const ok of [
      'video/mp4',
      'text/plain; charset=utf-8',
      'application/vnd.api+json',
      `a/${'b'.repeat(253)}`,
    ])
      expect(isContentType(ok), ok).toBe(true);
    for (const bad of [
      '',
      'video',
      '/mp4',
      'video/',
      'video/mp4\r\nX: y',
      'a/b\0',
      'vidéo/mp4',
      `a/${'b'.repeat(254)}`,
    ])
      expect(isContentType(bad), JSON.stringify(bad)).toBe(false);
    expect(codeOf(() => checkContentType('nope'))).toBe('SCHEMA_INVALID');
    expect(checkContentType('image/png')).toBe('image/png');
  });
});

describe('byte ranges', () => {
  it('clamps the end, refuses starts at or past the end and malformed ranges', () => {
    expect(resolveRange({ start: 0, end: 9 }, 100)).toEqual({ start: 0, end: 9 });
    expect(resolveRange({ start: 90 }, 100)).toEqual({ start: 90, end: 99 });
    expect(resolveRange({ start: 50, end: 1000 }, 100)).toEqual({ start: 50, end: 99 });
    expect(resolveRange({ start: 99, end: 99 }, 100)).toEqual({ start: 99, end: 99 });
    for (const [range, size] of [
      [{ start: 100 }, 100],
      [{ start: 0 }, 0],
      [{ start: -1 }, 100],
      [{ start: 5, end: 4 }, 100],
      [{ start: 0.5 }, 100],
      [{ start: Number.POSITIVE_INFINITY }, 100],
    ] as const)
      expect(
        codeOf(() => resolveRange(range, size)),
        JSON.stringify(range),
      ).toBe('RANGE_NOT_SATISFIABLE');
  });
});

describe('artifactRefOf', () => {
  it('takes jobId, nodeId and name from the key and passes the contract', () => {
    const ref = artifactRefOf({
      key: 'jobs/j1/tts/speech.wav',
      size: 10,
      contentType: 'audio/wav',
      sha256: 'a'.repeat(64),
      updatedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(ref).toEqual({
      key: 'jobs/j1/tts/speech.wav',
      jobId: 'j1',
      nodeId: 'tts',
      name: 'speech.wav',
      contentType: 'audio/wav',
      size: 10,
      sha256: 'a'.repeat(64),
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    expect(
      codeOf(() =>
        artifactRefOf({
          key: 'jobs/j1/tts/x',
          size: -1,
          contentType: 'a/b',
          updatedAt: '2026-01-01T00:00:00Z',
        }),
      ),
    ).toBe('SCHEMA_INVALID');
  });
});
