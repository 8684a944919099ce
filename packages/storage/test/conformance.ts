/**
 * The artifact store conformance suite: one behavioural contract, run against every ArtifactStore
 * implementation (test/local-store.test.ts, test/s3-store.test.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { artifactRefValidator, MySpinBotError } from '@myspinbot/contracts';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { artifactKey, jobPrefix, nodePrefix } from '../src/keys.js';
import type { ArtifactStore, StoredObject } from '../src/types.js';

export interface StoreFixture {
  store: ArtifactStore;
  /**
   * A fingerprint of everything the backend holds or has been asked (local: every path under the folder
   * that contains the root; S3: the number of requests sent). Equal before and after means untouched.
   */
  footprint(): Promise<string>;
  /**
   * Whether the backend itself replaces an object atomically for a concurrent reader. The local store
   * and real S3 do; s3rver rewrites objects in place, so with it only the final state and listings of a
   * concurrent overwrite are checked.
   */
  atomicBackend: boolean;
  dispose(): Promise<void>;
}

export const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

let counter = 0;
/** A job id no other test uses. */
export function freshJobId(label = 'job'): string {
  counter += 1;
  return `${label}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

/** Deterministic pseudo-random bytes, generated chunk by chunk (xorshift32). */
export function* patternChunks(total: number, chunkSize: number, seed = 0x9e3779b9): Generator<Buffer> {
  let state = seed >>> 0 || 1;
  for (let offset = 0; offset < total; offset += chunkSize) {
    const chunk = Buffer.allocUnsafe(Math.min(chunkSize, total - offset));
    for (let i = 0; i < chunk.length; i++) {
      state ^= state << 13;
      state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      chunk[i] = state & 0xff;
    }
    yield chunk;
  }
}

export async function collect(body: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/** Awaits `promise` and answers the MySpinBotError it rejected with (fails when it resolved). */
export async function rejection(promise: Promise<unknown>): Promise<MySpinBotError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(MySpinBotError);
    if (error instanceof MySpinBotError) return error;
  }
  throw new Error('expected a rejection, got a value');
}

/** What the spec accepts as a key, written independently of src/keys.ts. */
export function specAcceptsKey(key: string): boolean {
  const match =
    /^jobs\/([A-Za-z0-9_-]{1,64})\/([A-Za-z0-9_.-]{1,64})\/([A-Za-z0-9_-][A-Za-z0-9_.-]{0,127})$/.exec(key);
  if (!match) return false;
  const [, , nodeId = '', name = ''] = match;
  return nodeId !== '.' && nodeId !== '..' && !name.includes('..');
}

const NASTY_KEYS = [
  '',
  'jobs',
  'jobs/',
  'jobs/j',
  'jobs/j/n',
  'jobs/j/n/',
  '/jobs/j/n/x',
  'jobs/j/n/x/',
  'jobs//n/x',
  'jobs/j//x',
  'jobs/j/n//x',
  'jobs/../n/x',
  'jobs/j/../x',
  'jobs/j/./x',
  'jobs/j/n/..',
  'jobs/j/n/.',
  'jobs/j/n/.hidden',
  'jobs/j/n/a..b',
  'jobs/j/n/../../../../etc/passwd',
  '../jobs/j/n/x',
  'jobs/j/n/x\0',
  'jobs/j/n/x\\y',
  'jobs\\j\\n\\x',
  'C:\\jobs\\j\\n\\x',
  '/etc/passwd',
  'jobs/j/n/x y',
  'jobs/j/n/x\n',
  'jobs/j/n/%2e%2e',
  'jobs/j/n/é',
  'JOBS/j/n/x',
  'jobs/j/n/x/y',
  'file:///etc/passwd',
  `jobs/${'j'.repeat(65)}/n/x`,
  `jobs/j/${'n'.repeat(65)}/x`,
  `jobs/j/n/${'x'.repeat(129)}`,
];

const NASTY_PREFIXES = [
  '',
  'jobs',
  '/jobs/',
  'jobs//',
  'jobs/../',
  'jobs/j',
  'jobs/j/n',
  'jobs/j/n/x/',
  'jobs/j/../',
  'jobs/j/./',
  'jobs/j/../../',
  'jobs/j\\/',
  'jobs/j\0/',
  '../',
  '/',
];

const ID_CHARS = 'abcXYZ019_-';
const arbJobId = fc.string({ unit: fc.constantFrom(...ID_CHARS), minLength: 1, maxLength: 8 });
const arbNodeId = fc
  .string({ unit: fc.constantFrom(...ID_CHARS, '.'), minLength: 1, maxLength: 8 })
  .filter((s) => s !== '.' && s !== '..');
const arbName = fc
  .tuple(fc.constantFrom(...ID_CHARS), fc.string({ unit: fc.constantFrom(...ID_CHARS, '.'), maxLength: 8 }))
  .map(([head, tail]) => `${head}${tail}`)
  .filter((s) => !s.includes('..'));
const arbValidKey = fc.tuple(arbJobId, arbNodeId, arbName).map(([j, n, x]) => `jobs/${j}/${n}/${x}`);

/** Strings that are not valid keys: random text, key-like fragments, and valid keys with a bad insert. */
const arbInvalidKey = fc
  .oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({
      unit: fc.constantFrom('jobs', '/', '.', '..', '\\', '\0', 'a', '-', '_', ' ', '%2e', '~', ':', 'C:'),
      maxLength: 12,
    }),
    fc
      .tuple(
        arbValidKey,
        fc.nat(),
        fc.constantFrom('/', '..', '/..', '../', '//', '\\', '\0', ' ', '\n', '%', ':', '*', 'é', '/.', './'),
      )
      .map(([key, at, insert]) => {
        const i = at % (key.length + 1);
        return `${key.slice(0, i)}${insert}${key.slice(i)}`;
      }),
    fc.constantFrom(...NASTY_KEYS),
  )
  .filter((key) => !specAcceptsKey(key));

export function runStoreConformance(name: string, create: () => Promise<StoreFixture>): void {
  describe(`ArtifactStore conformance: ${name}`, () => {
    let fixture: StoreFixture;
    let store: ArtifactStore;
    let scratch: string;

    beforeEach(async () => {
      fixture = await create();
      store = fixture.store;
      await store.init();
      scratch = await mkdtemp(join(tmpdir(), 'storage-scratch-'));
    });

    afterEach(async () => {
      await fixture.dispose();
      await rm(scratch, { recursive: true, force: true });
    });

    it('init is idempotent and ping answers true', async () => {
      await store.init();
      expect(await store.ping()).toBe(true);
    });

    it('put/get/head round trip of a Buffer and of a Uint8Array', async () => {
      const jobId = freshJobId();
      const key = artifactKey(jobId, 'n1', 'blob.bin');
      const bytes = randomBytes(100_000);
      const put = await store.put(key, bytes, { contentType: 'application/octet-stream' });
      expect(put).toMatchObject({ key, size: bytes.length, contentType: 'application/octet-stream' });
      expect(put.sha256).toBe(sha256(bytes));
      expect(Number.isNaN(Date.parse(put.updatedAt))).toBe(false);

      const head = await store.head(key);
      expect(head).toMatchObject({ key, size: bytes.length, sha256: sha256(bytes) });

      const got = await store.get(key);
      expect(got?.range).toBeNull();
      expect(got?.object).toMatchObject({ key, size: bytes.length, sha256: sha256(bytes) });
      expect((await collect(got?.body ?? Readable.from([]))).equals(bytes)).toBe(true);
      expect((await store.getBuffer(key))?.equals(bytes)).toBe(true);

      const view = new Uint8Array(bytes.buffer, bytes.byteOffset + 10, 500);
      const key2 = artifactKey(jobId, 'n1', 'view.bin');
      const put2 = await store.put(key2, view, { contentType: 'application/octet-stream' });
      expect(put2.size).toBe(500);
      expect((await store.getBuffer(key2))?.equals(bytes.subarray(10, 510))).toBe(true);
      expect(put2.sha256).toBe(sha256(bytes.subarray(10, 510)));
    });

    it('an empty object round-trips', async () => {
      const key = artifactKey(freshJobId(), 'n1', 'empty.txt');
      const put = await store.put(key, Buffer.alloc(0), { contentType: 'text/plain' });
      expect(put.size).toBe(0);
      expect(put.sha256).toBe(sha256(Buffer.alloc(0)));
      expect(await store.head(key)).toMatchObject({ size: 0, contentType: 'text/plain' });
      expect((await store.getBuffer(key))?.length).toBe(0);
    });

    it('a 12 MB stream is stored byte for byte with its sha256 (multipart on S3)', async () => {
      const jobId = freshJobId();
      const key = artifactKey(jobId, 'render', 'video.mp4');
      const total = 12 * 1024 * 1024;
      const expected = Buffer.concat([...patternChunks(total, 64 * 1024)]);
      const put = await store.put(key, Readable.from(patternChunks(total, 64 * 1024)), {
        contentType: 'video/mp4',
      });
      expect(put.size).toBe(total);
      expect(put.sha256).toBe(sha256(expected));
      const head = await store.head(key);
      expect(head).toMatchObject({ size: total, contentType: 'video/mp4', sha256: sha256(expected) });
      const back = await store.getBuffer(key);
      expect(back?.length).toBe(total);
      expect(back?.equals(expected)).toBe(true);
      expect((await store.list(jobPrefix(jobId))).map((o) => o.key)).toEqual([key]);
    });

    it('a stream of strings is stored as UTF-8', async () => {
      const key = artifactKey(freshJobId(), 'script', 'narration.txt');
      const put = await store.put(key, Readable.from(['héllo ', 'wörld']), {
        contentType: 'text/plain; charset=utf-8',
      });
      const text = Buffer.from('héllo wörld', 'utf8');
      expect(put.size).toBe(text.length);
      expect((await store.getBuffer(key))?.equals(text)).toBe(true);
    });

    it('keeps the content type; refuses a content type that cannot be stored, writing nothing', async () => {
      const jobId = freshJobId();
      const types = ['video/mp4', 'text/vtt; charset=utf-8', 'image/png', 'application/json'];
      for (const [i, contentType] of types.entries()) {
        const key = artifactKey(jobId, 'n1', `file${i}`);
        await store.put(key, Buffer.from(`content ${i}`), { contentType });
        expect((await store.head(key))?.contentType).toBe(contentType);
        expect((await store.get(key))?.object.contentType).toBe(contentType);
      }
      expect((await store.list(jobPrefix(jobId))).map((o) => o.contentType)).toEqual(types);
      const key = artifactKey(jobId, 'n1', 'bad');
      for (const contentType of ['', 'video', 'video/mp4\r\nX-Evil: 1', 'a/b\0', `x/${'y'.repeat(260)}`]) {
        expect((await rejection(store.put(key, Buffer.from('x'), { contentType }))).code).toBe(
          'SCHEMA_INVALID',
        );
      }
      expect(await store.head(key)).toBeNull();
    });

    it('overwriting replaces the object and its metadata', async () => {
      const jobId = freshJobId();
      const key = artifactKey(jobId, 'tts', 'speech.wav');
      await store.put(key, Buffer.from('old old old'), { contentType: 'audio/wav' });
      const fresh = randomBytes(2048);
      const put = await store.put(key, Readable.from([fresh]), { contentType: 'audio/x-wav' });
      expect(put.sha256).toBe(sha256(fresh));
      expect(await store.head(key)).toMatchObject({
        size: 2048,
        contentType: 'audio/x-wav',
        sha256: sha256(fresh),
      });
      expect((await store.getBuffer(key))?.equals(fresh)).toBe(true);
      expect((await store.list(jobPrefix(jobId))).map((o) => o.key)).toEqual([key]);
    });

    it('concurrent readers during overwrites see whole objects; nothing partial or temporary is listed', async () => {
      const jobId = freshJobId();
      const key = artifactKey(jobId, 'render', 'frame.bin');
      const a = Buffer.alloc(1024 * 1024, 0x61);
      const b = Buffer.alloc(1536 * 1024, 0x62);
      await store.put(key, a, { contentType: 'application/octet-stream' });
      let writing = true;
      const problems: string[] = [];
      let reads = 0;
      let lists = 0;
      type Read = { object: StoredObject; bytes: Buffer } | { error: unknown } | null;
      const readOnce = async (): Promise<Read> => {
        try {
          const got = await store.get(key);
          return got ? { object: got.object, bytes: await collect(got.body) } : null;
        } catch (error) {
          return { error };
        }
      };
      const reader = async () => {
        while (writing) {
          const read = await readOnce();
          if (fixture.atomicBackend) {
            if (read === null) problems.push('object missing during overwrite');
            else if ('error' in read) problems.push(`read failed: ${String(read.error)}`);
            else {
              const { object, bytes } = read;
              reads += 1;
              if (!bytes.equals(a) && !bytes.equals(b))
                problems.push(`read ${bytes.length} mixed or partial bytes`);
              if (object.size !== bytes.length) problems.push('size does not describe the bytes read');
              if (object.sha256 !== undefined && object.sha256 !== sha256(bytes))
                problems.push('sha256 does not describe the bytes read');
            }
          }
          const listed = (await store.list(jobPrefix(jobId))).map((o) => o.key);
          if (listed.some((k) => k !== key)) problems.push(`listed ${JSON.stringify(listed)}`);
          if (fixture.atomicBackend && listed.length !== 1)
            problems.push('the object vanished from the listing');
          lists += 1;
        }
      };
      const readers = [reader(), reader()];
      for (let i = 0; i < 8; i++) {
        const next = i % 2 === 0 ? b : a;
        const body = i % 4 < 2 ? next : Readable.from([next.subarray(0, 4096), next.subarray(4096)]);
        await store.put(key, body, { contentType: 'application/octet-stream' });
      }
      writing = false;
      await Promise.all(readers);
      expect(problems).toEqual([]);
      expect(lists).toBeGreaterThan(0);
      if (fixture.atomicBackend) expect(reads).toBeGreaterThan(0);
      expect((await store.getBuffer(key))?.equals(a)).toBe(true);
      expect(await store.head(key)).toMatchObject({ size: a.length, sha256: sha256(a) });
    });

    it('a stream that fails mid-put leaves the previous object whole and nothing else behind', async () => {
      const jobId = freshJobId();
      const key = artifactKey(jobId, 'n1', 'out.bin');
      const old = randomBytes(4096);
      await store.put(key, old, { contentType: 'application/octet-stream' });
      // 9 MB before the failure: on S3 a multipart upload is under way when the source breaks.
      async function* broken(): AsyncGenerator<Buffer> {
        for (let i = 0; i < 9; i++) yield Buffer.alloc(1024 * 1024, i);
        throw new Error('source broke');
      }
      // The caller's own stream failure comes back as it is, not dressed up as a storage error.
      await expect(store.put(key, Readable.from(broken()), { contentType: 'text/plain' })).rejects.toThrow(
        /^source broke$/,
      );
      expect((await store.getBuffer(key))?.equals(old)).toBe(true);
      expect(await store.head(key)).toMatchObject({
        contentType: 'application/octet-stream',
        sha256: sha256(old),
      });
      expect((await store.list(jobPrefix(jobId))).map((o) => o.key)).toEqual([key]);
    });

    it('serves byte ranges, clamps an end past the end, refuses a start past the end', async () => {
      const key = artifactKey(freshJobId(), 'render', 'video.mp4');
      const bytes = randomBytes(1000);
      await store.put(key, bytes, { contentType: 'video/mp4' });
      const cases: [{ start: number; end?: number }, { start: number; end: number }][] = [
        [
          { start: 0, end: 9 },
          { start: 0, end: 9 },
        ],
        [
          { start: 100, end: 199 },
          { start: 100, end: 199 },
        ],
        [{ start: 990 }, { start: 990, end: 999 }],
        [
          { start: 995, end: 5000 },
          { start: 995, end: 999 },
        ],
        [
          { start: 999, end: 999 },
          { start: 999, end: 999 },
        ],
        [{ start: 0 }, { start: 0, end: 999 }],
      ];
      for (const [asked, served] of cases) {
        const got = await store.get(key, asked);
        expect(got?.range).toEqual(served);
        expect(got?.object).toMatchObject({ size: 1000, contentType: 'video/mp4' });
        const part = await collect(got?.body ?? Readable.from([]));
        expect(part.equals(bytes.subarray(served.start, served.end + 1))).toBe(true);
      }
      for (const asked of [{ start: 1000 }, { start: 5000, end: 6000 }, { start: 1000, end: 1000 }]) {
        const error = await rejection(store.get(key, asked));
        expect(error.code).toBe('RANGE_NOT_SATISFIABLE');
      }
      for (const asked of [{ start: -1 }, { start: 10, end: 5 }, { start: 1.5 }, { start: Number.NaN }]) {
        expect((await rejection(store.get(key, asked))).code).toBe('RANGE_NOT_SATISFIABLE');
      }
      const empty = artifactKey(freshJobId(), 'render', 'empty.mp4');
      await store.put(empty, Buffer.alloc(0), { contentType: 'video/mp4' });
      expect((await rejection(store.get(empty, { start: 0 }))).code).toBe('RANGE_NOT_SATISFIABLE');
      expect(
        await store.get(artifactKey(freshJobId(), 'render', 'absent.mp4'), { start: 0, end: 1 }),
      ).toBeNull();
    });

    it('absent keys: get/head/getBuffer answer null, downloadTo ARTIFACT_NOT_FOUND, delete false', async () => {
      const jobId = freshJobId();
      const key = artifactKey(jobId, 'n1', 'missing.bin');
      expect(await store.get(key)).toBeNull();
      expect(await store.head(key)).toBeNull();
      expect(await store.getBuffer(key)).toBeNull();
      const target = join(scratch, 'sub', 'missing.bin');
      const error = await rejection(store.downloadTo(key, target));
      expect(error.code).toBe('ARTIFACT_NOT_FOUND');
      expect(error.retryable).toBe(false);
      expect(existsSync(target)).toBe(false);
      expect(await store.delete(key)).toBe(false);
      expect(await store.list(jobPrefix(jobId))).toEqual([]);
      expect(await store.list(nodePrefix(jobId, 'n1'))).toEqual([]);
      expect(await store.deletePrefix(jobPrefix(jobId))).toBe(0);
    });

    it('delete removes one object and nothing else', async () => {
      const jobId = freshJobId();
      const keep = artifactKey(jobId, 'n1', 'keep.txt');
      const drop = artifactKey(jobId, 'n1', 'drop.txt');
      await store.put(keep, Buffer.from('keep'), { contentType: 'text/plain' });
      await store.put(drop, Buffer.from('drop'), { contentType: 'text/plain' });
      expect(await store.delete(drop)).toBe(true);
      expect(await store.head(drop)).toBeNull();
      expect(await store.delete(drop)).toBe(false);
      expect((await store.getBuffer(keep))?.toString()).toBe('keep');
      expect((await store.list(jobPrefix(jobId))).map((o) => o.key)).toEqual([keep]);
    });

    it('list and deletePrefix stay inside one job (or one node); other jobs are untouched', async () => {
      const jobA = freshJobId('a');
      const jobB = `${jobA}0`; // jobA is a string prefix of jobB: only the '/' keeps them apart
      const keysA = [
        artifactKey(jobA, 'n1', 'a.txt'),
        artifactKey(jobA, 'n1', 'b.txt'),
        artifactKey(jobA, 'n2', 'c.txt'),
        artifactKey(jobA, 'n2.x', 'd.txt'),
      ];
      const keyB = artifactKey(jobB, 'n1', 'a.txt');
      for (const key of [...keysA, keyB])
        await store.put(key, Buffer.from(key), { contentType: 'text/plain' });

      const listed = await store.list(jobPrefix(jobA));
      expect(listed.map((o) => o.key)).toEqual([...keysA].sort());
      for (const object of listed) {
        expect(object.size).toBe(Buffer.byteLength(object.key));
        expect(object.contentType).toBe('text/plain');
        expect(object.sha256).toBe(sha256(Buffer.from(object.key)));
      }
      expect((await store.list(nodePrefix(jobA, 'n1'))).map((o) => o.key)).toEqual(keysA.slice(0, 2));
      expect((await store.list(nodePrefix(jobA, 'n2'))).map((o) => o.key)).toEqual([keysA[2]]);
      expect((await store.list('jobs/')).map((o) => o.key)).toEqual([...keysA, keyB].sort());

      expect(await store.deletePrefix(nodePrefix(jobA, 'n2'))).toBe(1);
      expect((await store.list(jobPrefix(jobA))).map((o) => o.key)).toEqual([keysA[0], keysA[1], keysA[3]]);
      expect(await store.deletePrefix(jobPrefix(jobA))).toBe(3);
      expect(await store.list(jobPrefix(jobA))).toEqual([]);
      for (const key of keysA) expect(await store.head(key)).toBeNull();
      expect(await store.deletePrefix(jobPrefix(jobA))).toBe(0);
      expect((await store.getBuffer(keyB))?.toString()).toBe(keyB);
      expect((await store.list('jobs/')).map((o) => o.key)).toEqual([keyB]);
      // The job can be written again after its artifacts were deleted.
      await store.put(keysA[0] ?? '', Buffer.from('again'), { contentType: 'text/plain' });
      expect((await store.getBuffer(keysA[0] ?? ''))?.toString()).toBe('again');
    });

    it('names that look like metadata or temporary files are ordinary artifacts', async () => {
      const jobId = freshJobId();
      const names = ['x', 'x.meta.json', 'x.tmp', 'trash-x', 'staging', '-', '_'];
      for (const name of names)
        await store.put(artifactKey(jobId, '.n', name), Buffer.from(`body of ${name}`), {
          contentType: 'text/plain',
        });
      const listed = await store.list(jobPrefix(jobId));
      expect(listed.map((o) => o.key)).toEqual(names.map((n) => artifactKey(jobId, '.n', n)).sort());
      for (const name of names)
        expect((await store.getBuffer(artifactKey(jobId, '.n', name)))?.toString()).toBe(`body of ${name}`);
    });

    it('rejects every invalid key and prefix with ARTIFACT_KEY_INVALID, touching nothing', async () => {
      const target = join(scratch, 'download', 'target.bin');
      const source = join(scratch, 'source.bin');
      await writeFile(source, 'source bytes');
      const before = await fixture.footprint();
      const calls = (key: string): [string, () => Promise<unknown>][] => [
        ['put', () => store.put(key, Buffer.from('x'), { contentType: 'text/plain' })],
        [
          'put stream',
          () => store.put(key, Readable.from([Buffer.from('x')]), { contentType: 'text/plain' }),
        ],
        ['putFile', () => store.putFile(key, source, { contentType: 'text/plain' })],
        ['head', () => store.head(key)],
        ['get', () => store.get(key)],
        ['get range', () => store.get(key, { start: 0, end: 1 })],
        ['getBuffer', () => store.getBuffer(key)],
        ['downloadTo', () => store.downloadTo(key, target)],
        ['delete', () => store.delete(key)],
        ['list', () => store.list(key)],
        ['deletePrefix', () => store.deletePrefix(key)],
      ];
      const check = async (key: string, which: [string, () => Promise<unknown>][]) => {
        for (const [method, call] of which) {
          const error = await rejection(call());
          expect(error.code, `${method}(${JSON.stringify(key)})`).toBe('ARTIFACT_KEY_INVALID');
          expect(error.retryable).toBe(false);
        }
      };
      for (const key of NASTY_KEYS) await check(key, calls(key).slice(0, 9));
      for (const prefix of NASTY_PREFIXES) await check(prefix, calls(prefix).slice(9));
      await fc.assert(
        fc.asyncProperty(arbInvalidKey, async (key) => {
          await check(key, calls(key).slice(0, 9));
          if (!/^jobs\/([A-Za-z0-9_-]{1,64}\/([A-Za-z0-9_.-]{1,64}\/)?)?$/.test(key))
            await check(key, calls(key).slice(9));
        }),
        { numRuns: 300 },
      );
      expect(await fixture.footprint()).toBe(before);
      expect(existsSync(target)).toBe(false);
    });

    it('putFile and downloadTo round-trip through local files', async () => {
      const key = artifactKey(freshJobId(), 'upload', 'portrait.jpg');
      const bytes = Buffer.concat([...patternChunks(3 * 1024 * 1024 + 17, 100_000, 7)]);
      const source = join(scratch, 'portrait.jpg');
      await writeFile(source, bytes);
      const put = await store.putFile(key, source, { contentType: 'image/jpeg' });
      expect(put).toMatchObject({
        key,
        size: bytes.length,
        contentType: 'image/jpeg',
        sha256: sha256(bytes),
      });
      expect(await store.head(key)).toMatchObject({ size: bytes.length, sha256: sha256(bytes) });

      const target = join(scratch, 'deep', 'er', 'copy.jpg');
      const object = await store.downloadTo(key, target);
      expect(object).toMatchObject({
        key,
        size: bytes.length,
        contentType: 'image/jpeg',
        sha256: sha256(bytes),
      });
      expect((await readFile(target)).equals(bytes)).toBe(true);
      // A second download replaces the file, and leaves no temporary file beside it.
      await writeFile(target, 'stale');
      await store.downloadTo(key, target);
      expect((await readFile(target)).equals(bytes)).toBe(true);
      expect(await readdir(join(scratch, 'deep', 'er'))).toEqual(['copy.jpg']);

      const missing = await rejection(
        store.putFile(key, join(scratch, 'nope.jpg'), { contentType: 'image/jpeg' }),
      );
      expect(missing.code).toBe('STORAGE_UNAVAILABLE');
      expect(missing.retryable).toBe(false);
      expect((await store.getBuffer(key))?.equals(bytes)).toBe(true);
    });

    it('toArtifactRef gives a contract-valid reference', async () => {
      const jobId = freshJobId();
      const key = artifactKey(jobId, 'finalize', 'thumb.jpg');
      const bytes = randomBytes(321);
      const put = await store.put(key, bytes, { contentType: 'image/jpeg' });
      for (const object of [
        put,
        (await store.head(key)) as StoredObject,
        ...(await store.list(jobPrefix(jobId))),
      ]) {
        const ref = store.toArtifactRef(object);
        expect(artifactRefValidator.problems(ref)).toEqual([]);
        expect(ref).toMatchObject({
          key,
          jobId,
          nodeId: 'finalize',
          name: 'thumb.jpg',
          contentType: 'image/jpeg',
          size: 321,
          sha256: sha256(bytes),
        });
      }
      const forged = { key: 'jobs/../x/y', size: 1, contentType: 'text/plain', updatedAt: put.updatedAt };
      expect(() => store.toArtifactRef(forged)).toThrow(MySpinBotError);
    });
  });
}
