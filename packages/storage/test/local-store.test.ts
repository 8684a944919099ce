import { randomBytes } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { MySpinBotError } from '@myspinbot/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { artifactKey, jobPrefix } from '../src/keys.js';
import { KeyedMutex } from '../src/local/keyed-mutex.js';
import { LocalArtifactStore } from '../src/local/local-store.js';
import { runStoreConformance, sha256 } from './conformance.js';

/** Every path under `dir` with its size and modification time. */
async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (at: string) => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      const info = await lstat(path);
      out.push(`${relative(dir, path)} ${entry.isDirectory() ? 'dir' : info.size} ${info.mtimeMs}`);
      if (entry.isDirectory()) await walk(path);
    }
  };
  await walk(dir);
  return out.sort();
}

runStoreConformance('LocalArtifactStore', async () => {
  // The root sits inside a private folder, so anything written beside it (outside the root) shows too.
  const base = await mkdtemp(join(tmpdir(), 'local-store-'));
  const store = new LocalArtifactStore({ root: join(base, 'root') });
  return {
    store,
    atomicBackend: true,
    footprint: async () => (await tree(base)).join('\n'),
    async dispose() {
      await store.close();
      await rm(base, { recursive: true, force: true });
    },
  };
});

describe('LocalArtifactStore specifics', () => {
  let base: string;
  let root: string;
  let store: LocalArtifactStore;

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'local-store-'));
    root = join(base, 'root');
    store = new LocalArtifactStore({ root });
    await store.init();
  });

  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('keeps the object byte for byte at <root>/<key> with a hidden sidecar, and no temporary files', async () => {
    const key = artifactKey('job1', 'render', 'video.mp4');
    for (let i = 0; i < 5; i++) await store.put(key, randomBytes(1000 + i), { contentType: 'video/mp4' });
    const last = randomBytes(777);
    await store.put(key, Readable.from([last]), { contentType: 'video/mp4' });
    const folder = join(root, 'jobs', 'job1', 'render');
    expect((await readFile(join(folder, 'video.mp4'))).equals(last)).toBe(true);
    expect((await readdir(folder)).sort()).toEqual(['.video.mp4.meta.json', 'video.mp4']);
    const sidecar = JSON.parse(await readFile(join(folder, '.video.mp4.meta.json'), 'utf8'));
    expect(sidecar).toMatchObject({ contentType: 'video/mp4', size: 777, sha256: sha256(last) });
    expect(await store.delete(key)).toBe(true);
    expect(await readdir(folder)).toEqual([]);
  });

  it('a sidecar that does not describe the file keeps the content type but vouches for no sha256', async () => {
    const key = artifactKey('job1', 'tts', 'speech.wav');
    await store.put(key, Buffer.from('first'), { contentType: 'audio/wav' });
    // Replaced behind the store's back (as after a crash between the two renames, or a copied folder).
    const path = join(root, 'jobs', 'job1', 'tts', 'speech.wav');
    await writeFile(`${path}.new`, 'second!');
    await rename(`${path}.new`, path);
    const replaced = await store.head(key);
    expect(replaced).toMatchObject({ size: 7, contentType: 'audio/wav' });
    expect(replaced?.sha256).toBeUndefined();
    expect((await store.getBuffer(key))?.toString()).toBe('second!');
    // A file with no sidecar at all is served as application/octet-stream.
    const bare = join(root, 'jobs', 'job1', 'tts', 'bare.bin');
    await writeFile(bare, 'bare');
    const head = await store.head(artifactKey('job1', 'tts', 'bare.bin'));
    expect(head).toMatchObject({ size: 4, contentType: 'application/octet-stream' });
    expect(head?.sha256).toBeUndefined();
    if (head) expect(store.toArtifactRef(head)).not.toHaveProperty('sha256');
  });

  it('never follows a symbolic link planted at an object path, and lists no strays', async () => {
    const outside = join(base, 'secret.txt');
    await writeFile(outside, 'secret');
    const folder = join(root, 'jobs', 'job1', 'n1');
    await mkdir(folder, { recursive: true });
    await symlink(outside, join(folder, 'link.txt'));
    await writeFile(join(folder, '.stray.tmp'), 'temporary');
    await mkdir(join(folder, 'subdir'));
    const key = artifactKey('job1', 'n1', 'link.txt');
    expect(await store.get(key)).toBeNull();
    expect(await store.head(key)).toBeNull();
    expect(await store.list(jobPrefix('job1'))).toEqual([]);
  });

  it('deletePrefix leaves no trash behind, and init removes trash an interrupted one left', async () => {
    await store.put(artifactKey('job1', 'n1', 'a'), Buffer.from('a'), { contentType: 'text/plain' });
    expect(await store.deletePrefix(jobPrefix('job1'))).toBe(1);
    expect(await readdir(root)).toEqual(['jobs']);
    await mkdir(join(root, '.trash-left-over', 'jobs'), { recursive: true });
    await store.init();
    expect(await readdir(root)).toEqual(['jobs']);
  });

  it('refuses a relative root; ping is false without a usable root folder', async () => {
    expect(() => new LocalArtifactStore({ root: 'data/artifacts' })).toThrow(MySpinBotError);
    const missing = new LocalArtifactStore({ root: join(base, 'missing') });
    expect(await missing.ping()).toBe(false);
    await writeFile(join(base, 'file'), 'x');
    expect(await new LocalArtifactStore({ root: join(base, 'file') }).ping()).toBe(false);
    await missing.init();
    expect(await missing.ping()).toBe(true);
  });
});

describe('KeyedMutex', () => {
  it('runs sections for one key one at a time, other keys alongside, and forgets idle keys', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const section = (key: string, label: string, ms: number) =>
      mutex.run(key, async () => {
        log.push(`${label}+`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`${label}-`);
        return label;
      });
    const results = await Promise.all([section('a', 'a1', 30), section('a', 'a2', 5), section('b', 'b1', 5)]);
    expect(results).toEqual(['a1', 'a2', 'b1']);
    expect(log.indexOf('a1-')).toBeLessThan(log.indexOf('a2+'));
    expect(log.indexOf('b1-')).toBeLessThan(log.indexOf('a1-'));
    await expect(mutex.run('a', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await mutex.run('a', async () => 'after a failure')).toBe('after a failure');
    expect(mutex.size).toBe(0);
  });
});
