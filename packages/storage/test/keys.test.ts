import { artifactRefValidator, MySpinBotError } from '@myspinbot/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  artifactKey,
  isArtifactKey,
  jobPrefix,
  nodePrefix,
  parseArtifactKey,
  parseArtifactPrefix,
} from '../src/keys.js';
import { specAcceptsKey } from './conformance.js';

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof MySpinBotError) return error.code;
    return `not a MySpinBotError: ${String(error)}`;
  }
  return 'no error';
}

const ID = 'abcXYZ019_-';
const arbJobId = fc.string({ unit: fc.constantFrom(...ID), minLength: 1, maxLength: 64 });
const arbNodeId = fc
  .string({ unit: fc.constantFrom(...ID, '.'), minLength: 1, maxLength: 64 })
  .filter((s) => s !== '.' && s !== '..');
const arbName = fc
  .tuple(fc.constantFrom(...ID), fc.string({ unit: fc.constantFrom(...ID, '.'), maxLength: 127 }))
  .map(([head, tail]) => `${head}${tail}`)
  .filter((s) => !s.includes('..'));

describe('artifact keys', () => {
  it('builds jobs/<jobId>/<nodeId>/<name> from valid parts and parses it back', () => {
    expect(artifactKey('job-1', 'render', 'video.mp4')).toBe('jobs/job-1/render/video.mp4');
    expect(parseArtifactKey('jobs/job-1/render/video.mp4')).toEqual({
      jobId: 'job-1',
      nodeId: 'render',
      name: 'video.mp4',
    });
    fc.assert(
      fc.property(arbJobId, arbNodeId, arbName, (jobId, nodeId, name) => {
        const key = artifactKey(jobId, nodeId, name);
        expect(parseArtifactKey(key)).toEqual({ jobId, nodeId, name });
        // Every key the builder makes is a key the contract accepts.
        expect(
          artifactRefValidator.problems({ key, jobId, nodeId, name, contentType: 'text/plain', size: 0 }),
        ).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('accepts the longest ids and names and refuses one character more', () => {
    const j = 'j'.repeat(64);
    const n = 'n'.repeat(64);
    const x = 'x'.repeat(128);
    expect(artifactKey(j, n, x)).toBe(`jobs/${j}/${n}/${x}`);
    expect(codeOf(() => artifactKey(`${j}j`, n, x))).toBe('ARTIFACT_KEY_INVALID');
    expect(codeOf(() => artifactKey(j, `${n}n`, x))).toBe('ARTIFACT_KEY_INVALID');
    expect(codeOf(() => artifactKey(j, n, `${x}x`))).toBe('ARTIFACT_KEY_INVALID');
  });

  it('refuses parts that could name another place', () => {
    const bad: [string, string, string][] = [
      ['', 'n', 'x'],
      ['j', '', 'x'],
      ['j', 'n', ''],
      ['..', 'n', 'x'],
      ['j.k', 'n', 'x'],
      ['j', '.', 'x'],
      ['j', '..', 'x'],
      ['j', 'n', '.'],
      ['j', 'n', '..'],
      ['j', 'n', '.hidden'],
      ['j', 'n', 'a..b'],
      ['j', 'n', 'a/b'],
      ['j', 'n/m', 'x'],
      ['j/k', 'n', 'x'],
      ['j', 'n', 'a\\b'],
      ['j', 'n', 'a\0'],
      ['j', 'n', 'a b'],
      ['j', 'n', 'é'],
    ];
    for (const [jobId, nodeId, name] of bad) {
      expect(
        codeOf(() => artifactKey(jobId, nodeId, name)),
        `${jobId}|${nodeId}|${name}`,
      ).toBe('ARTIFACT_KEY_INVALID');
    }
  });

  it('a node id may contain dots, a name may contain single dots', () => {
    expect(parseArtifactKey('jobs/j/n.1.x/a.b.c')).toEqual({ jobId: 'j', nodeId: 'n.1.x', name: 'a.b.c' });
    expect(parseArtifactKey('jobs/j/.n/x.')).toEqual({ jobId: 'j', nodeId: '.n', name: 'x.' });
  });

  it('parseArtifactKey accepts exactly what the spec accepts, for any string', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 40 }),
          fc.string({
            unit: fc.constantFrom('jobs/', 'j', 'n', '/', '.', '..', '\\', '\0', 'x', '-'),
            maxLength: 10,
          }),
          fc.tuple(arbJobId, arbNodeId, arbName).map(([j, n, x]) => `jobs/${j}/${n}/${x}`),
        ),
        (key) => {
          expect(isArtifactKey(key)).toBe(specAcceptsKey(key));
          if (!specAcceptsKey(key)) expect(codeOf(() => parseArtifactKey(key))).toBe('ARTIFACT_KEY_INVALID');
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('refuses non-strings and keeps error messages short for huge input', () => {
    for (const value of [undefined, null, 42, {}, ['jobs', 'j', 'n', 'x']])
      expect(codeOf(() => parseArtifactKey(value))).toBe('ARTIFACT_KEY_INVALID');
    try {
      parseArtifactKey(`jobs/${'a'.repeat(100_000)}`);
      expect.unreachable('a huge key was accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(MySpinBotError);
      expect((error as MySpinBotError).message.length).toBeLessThan(400);
      expect(String((error as MySpinBotError).details?.key).length).toBeLessThanOrEqual(400);
    }
  });

  it('prefixes: jobs/, one job, one node of one job — nothing else', () => {
    expect(jobPrefix('job-1')).toBe('jobs/job-1/');
    expect(nodePrefix('job-1', 'tts')).toBe('jobs/job-1/tts/');
    expect(codeOf(() => jobPrefix('../x'))).toBe('ARTIFACT_KEY_INVALID');
    expect(codeOf(() => nodePrefix('j', '..'))).toBe('ARTIFACT_KEY_INVALID');
    expect(parseArtifactPrefix('jobs/')).toEqual({});
    expect(parseArtifactPrefix('jobs/j/')).toEqual({ jobId: 'j' });
    expect(parseArtifactPrefix('jobs/j/n.1/')).toEqual({ jobId: 'j', nodeId: 'n.1' });
    for (const prefix of [
      '',
      'jobs',
      '/jobs/',
      'jobs//',
      'jobs/j',
      'jobs/j//',
      'jobs/j/n',
      'jobs/j/n/x/',
      'jobs/../',
      'jobs/j/../',
      'jobs/j/./',
      'jobs/j\\/',
      'jobs/j\0/',
      'job/j/',
    ])
      expect(
        codeOf(() => parseArtifactPrefix(prefix)),
        JSON.stringify(prefix),
      ).toBe('ARTIFACT_KEY_INVALID');
  });
});
