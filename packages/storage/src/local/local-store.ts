/**
 * Artifacts in a local folder: the object with key K is the file <root>/K, byte for byte.
 *
 * - Writes go to a temporary file in the object's folder, are flushed, then renamed over the object, so a
 *   reader sees the old file or the whole new one.
 * - Content type and sha256 live in a sidecar `.<name>.meta.json` beside the file. It records the inode
 *   of the file it describes; a sidecar that does not match the file (a crash between the two renames,
 *   a folder copied elsewhere) still gives the content type, but its sha256 is not vouched for.
 * - The two renames of a write, a delete, and the open-and-read-sidecar of a reader run one at a time per
 *   key in this process, so a reader never pairs new bytes with old metadata.
 * - Temporary files and sidecars start with '.', which no artifact name may, so listings never show them.
 * - Every path comes from a parsed key or prefix and is checked to stay inside the root.
 */
import { randomUUID } from 'node:crypto';
import { constants, type Dirent } from 'node:fs';
import {
  access,
  type FileHandle,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  unlink,
} from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { type ArtifactRef, MySpinBotError } from '@myspinbot/contracts';
import {
  type ArtifactPrefixParts,
  isArtifactName,
  isJobId,
  isNodeId,
  parseArtifactKey,
  parseArtifactPrefix,
} from '../keys.js';
import {
  artifactRefOf,
  checkContentType,
  checkRangeRequest,
  DEFAULT_CONTENT_TYPE,
  resolveRange,
  sha256OrUndefined,
} from '../object.js';
import {
  asBuffer,
  errnoCode,
  isByteArray,
  openSourceFile,
  type TempFile,
  writeFileAtomically,
  writeTempFile,
} from '../streams.js';
import type { ArtifactStore, GetResult, PutBody, PutOptions, RangeRequest, StoredObject } from '../types.js';
import { KeyedMutex } from './keyed-mutex.js';

export interface LocalArtifactStoreOptions {
  /** Absolute path of the folder that holds the `jobs/` tree. */
  root: string;
}

/** What the sidecar of an object records. */
interface Sidecar {
  contentType: string;
  sha256: string;
  size: number;
  /** Inode of the file the sidecar describes. */
  ino: string;
}

type Level = 'job' | 'node' | 'name';

/** Errno codes that mean "there is no such object here". */
const ABSENT = new Set(['ENOENT', 'ENOTDIR', 'ELOOP']);

const TRASH_PREFIX = '.trash-';

function isAbsent(error: unknown): boolean {
  const code = errnoCode(error);
  return code !== undefined && ABSENT.has(code);
}

/** File-system failures become STORAGE_UNAVAILABLE; our own errors and a caller's stream errors pass. */
function failure(op: string, error: unknown): unknown {
  if (error instanceof MySpinBotError) return error;
  const code = errnoCode(error);
  if (code === undefined) return error;
  return new MySpinBotError('STORAGE_UNAVAILABLE', `local artifact store: ${op} failed (${code})`, {
    cause: error,
    details: { op, code },
  });
}

function parseSidecar(text: string): Sidecar | null {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return null;
    const { contentType, sha256, size, ino } = value as Record<string, unknown>;
    if (typeof contentType !== 'string' || typeof size !== 'number' || typeof ino !== 'string') return null;
    const hash = sha256OrUndefined(sha256);
    if (hash === undefined) return null;
    return { contentType, sha256: hash, size, ino };
  } catch {
    return null;
  }
}

async function readSidecar(path: string): Promise<Sidecar | null> {
  try {
    return parseSidecar(await readFile(path, 'utf8'));
  } catch (error) {
    if (isAbsent(error)) return null;
    throw error;
  }
}

async function readdirOrEmpty(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (isAbsent(error)) return [];
    throw error;
  }
}

/**
 * Relative paths (as segments) of the artifact files under `dir`, whose levels below are `levels`; only
 * entries whose names are valid at their level count, so temporary files, sidecars and strays are skipped.
 */
async function artifactPaths(dir: string, levels: readonly Level[]): Promise<string[][]> {
  const [level, ...rest] = levels;
  if (level === undefined) return [[]];
  const out: string[][] = [];
  for (const entry of await readdirOrEmpty(dir)) {
    if (level === 'name') {
      if (entry.isFile() && isArtifactName(entry.name)) out.push([entry.name]);
      continue;
    }
    if (!entry.isDirectory()) continue;
    if (level === 'job' ? !isJobId(entry.name) : !isNodeId(entry.name)) continue;
    for (const tail of await artifactPaths(join(dir, entry.name), rest)) out.push([entry.name, ...tail]);
  }
  return out;
}

function levelsBelow(parts: ArtifactPrefixParts): Level[] {
  if (parts.jobId === undefined) return ['job', 'node', 'name'];
  if (parts.nodeId === undefined) return ['node', 'name'];
  return ['name'];
}

export class LocalArtifactStore implements ArtifactStore {
  readonly kind = 'local' as const;
  /** The resolved root folder. */
  readonly root: string;
  private readonly rootWithSep: string;
  private readonly locks = new KeyedMutex();

  constructor(options: LocalArtifactStoreOptions) {
    if (typeof options.root !== 'string' || !isAbsolute(options.root))
      throw new MySpinBotError(
        'CONFIG_INVALID',
        `the local artifact root must be an absolute path, got ${JSON.stringify(String(options.root))}`,
        { details: { root: String(options.root) } },
      );
    this.root = resolve(options.root);
    this.rootWithSep = this.root.endsWith(sep) ? this.root : `${this.root}${sep}`;
  }

  /** Throws ARTIFACT_KEY_INVALID unless `path` lies strictly inside the root (a second line of defence). */
  private inside(path: string, key: string): string {
    if (!path.startsWith(this.rootWithSep))
      throw new MySpinBotError(
        'ARTIFACT_KEY_INVALID',
        `artifact key ${JSON.stringify(key)} leaves the root`,
        {
          details: { key },
        },
      );
    return path;
  }

  private paths(key: string): { path: string; sidecar: string } {
    const { jobId, nodeId, name } = parseArtifactKey(key);
    const path = this.inside(resolve(this.root, 'jobs', jobId, nodeId, name), key);
    return { path, sidecar: this.inside(join(dirname(path), `.${name}.meta.json`), key) };
  }

  private prefixDir(prefix: string): { dir: string; levels: Level[] } {
    const parts = parseArtifactPrefix(prefix);
    const segments = [parts.jobId, parts.nodeId].filter((s): s is string => s !== undefined);
    return { dir: this.inside(resolve(this.root, 'jobs', ...segments), prefix), levels: levelsBelow(parts) };
  }

  async init(): Promise<void> {
    try {
      await mkdir(this.root, { recursive: true });
      // Folders renamed aside by a deletePrefix that did not finish are removed now.
      for (const entry of await readdirOrEmpty(this.root)) {
        if (entry.isDirectory() && entry.name.startsWith(TRASH_PREFIX))
          await rm(join(this.root, entry.name), { recursive: true, force: true });
      }
    } catch (error) {
      throw failure('init', error);
    }
  }

  async ping(): Promise<boolean> {
    try {
      if (!(await stat(this.root)).isDirectory()) return false;
      await access(this.root, constants.R_OK | constants.W_OK);
      return true;
    } catch {
      return false;
    }
  }

  async put(key: string, body: PutBody, options: PutOptions): Promise<StoredObject> {
    const { path, sidecar } = this.paths(key);
    const contentType = checkContentType(options.contentType);
    try {
      await mkdir(dirname(path), { recursive: true });
      const data = await writeTempFile(path, isByteArray(body) ? asBuffer(body) : body);
      return await this.commit(key, path, sidecar, data, contentType);
    } catch (error) {
      throw failure('put', error);
    }
  }

  async putFile(key: string, path: string, options: PutOptions): Promise<StoredObject> {
    this.paths(key);
    checkContentType(options.contentType);
    const source = await openSourceFile(path);
    try {
      return await this.put(key, source.createReadStream({ autoClose: false }), options);
    } finally {
      await source.close();
    }
  }

  /** Writes the sidecar and renames both files into place (the object first). */
  private async commit(
    key: string,
    path: string,
    sidecarPath: string,
    data: TempFile,
    contentType: string,
  ): Promise<StoredObject> {
    let meta: TempFile | undefined;
    try {
      const record: Sidecar = { contentType, sha256: data.sha256, size: data.size, ino: data.ino };
      meta = await writeTempFile(sidecarPath, Buffer.from(JSON.stringify(record)));
      const metaPath = meta.path;
      await this.locks.run(key, async () => {
        await rename(data.path, path);
        await rename(metaPath, sidecarPath);
      });
    } catch (error) {
      await unlink(data.path).catch(() => undefined);
      if (meta) await unlink(meta.path).catch(() => undefined);
      throw error;
    }
    return { key, size: data.size, contentType, sha256: data.sha256, updatedAt: data.mtime };
  }

  /**
   * Opens the object and describes it from the open file and its sidecar, in one locked section; the
   * caller owns the handle. Null when there is no such file.
   */
  private async open(key: string): Promise<{ handle: FileHandle; object: StoredObject } | null> {
    const { path, sidecar } = this.paths(key);
    return this.locks.run(key, async () => {
      let handle: FileHandle;
      try {
        handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
      } catch (error) {
        if (isAbsent(error)) return null;
        throw error;
      }
      try {
        const info = await handle.stat({ bigint: true });
        if (!info.isFile()) {
          await handle.close();
          return null;
        }
        const size = Number(info.size);
        const meta = await readSidecar(sidecar);
        const object: StoredObject = {
          key,
          size,
          contentType: meta?.contentType ?? DEFAULT_CONTENT_TYPE,
          updatedAt: info.mtime.toISOString(),
        };
        if (meta && meta.ino === info.ino.toString() && meta.size === size) object.sha256 = meta.sha256;
        return { handle, object };
      } catch (error) {
        await handle.close();
        throw error;
      }
    });
  }

  async head(key: string): Promise<StoredObject | null> {
    try {
      const opened = await this.open(key);
      if (!opened) return null;
      await opened.handle.close();
      return opened.object;
    } catch (error) {
      throw failure('head', error);
    }
  }

  async get(key: string, range?: RangeRequest): Promise<GetResult | null> {
    this.paths(key);
    if (range) checkRangeRequest(range);
    try {
      const opened = await this.open(key);
      if (!opened) return null;
      const { handle, object } = opened;
      if (!range) return { object, body: handle.createReadStream(), range: null };
      try {
        const served = resolveRange(range, object.size);
        return {
          object,
          body: handle.createReadStream({ start: served.start, end: served.end }),
          range: served,
        };
      } catch (error) {
        await handle.close();
        throw error;
      }
    } catch (error) {
      throw failure('get', error);
    }
  }

  async getBuffer(key: string): Promise<Buffer | null> {
    try {
      const opened = await this.open(key);
      if (!opened) return null;
      try {
        return await opened.handle.readFile();
      } finally {
        await opened.handle.close();
      }
    } catch (error) {
      throw failure('getBuffer', error);
    }
  }

  async downloadTo(key: string, path: string): Promise<StoredObject> {
    this.paths(key);
    try {
      const opened = await this.open(key);
      if (!opened)
        throw new MySpinBotError('ARTIFACT_NOT_FOUND', `no artifact ${JSON.stringify(key)}`, {
          details: { key },
        });
      const { handle, object } = opened;
      try {
        await writeFileAtomically(path, handle.createReadStream({ autoClose: false }), (written) => {
          if (object.sha256 !== undefined && written.sha256 !== object.sha256)
            throw new MySpinBotError('STORAGE_UNAVAILABLE', `artifact ${key} does not match its sha256`, {
              details: { key, expected: object.sha256, actual: written.sha256 },
            });
        });
      } finally {
        await handle.close();
      }
      return object;
    } catch (error) {
      throw failure('downloadTo', error);
    }
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const { dir, levels } = this.prefixDir(prefix);
    try {
      const keys = (await artifactPaths(dir, levels)).map((segments) => `${prefix}${segments.join('/')}`);
      const objects: StoredObject[] = [];
      for (const key of keys.sort()) {
        const object = await this.head(key);
        if (object) objects.push(object);
      }
      return objects;
    } catch (error) {
      throw failure('list', error);
    }
  }

  async delete(key: string): Promise<boolean> {
    const { path, sidecar } = this.paths(key);
    try {
      return await this.locks.run(key, async () => {
        try {
          if (!(await stat(path)).isFile()) return false;
          await unlink(path);
        } catch (error) {
          if (isAbsent(error)) return false;
          throw error;
        }
        await rm(sidecar, { force: true });
        return true;
      });
    } catch (error) {
      throw failure('delete', error);
    }
  }

  /**
   * Renames the prefix's folder aside (one atomic step: afterwards no reader finds any of its objects),
   * counts the artifacts in it, then removes it.
   */
  async deletePrefix(prefix: string): Promise<number> {
    const { dir, levels } = this.prefixDir(prefix);
    const trash = join(this.root, `${TRASH_PREFIX}${randomUUID()}`);
    try {
      try {
        await rename(dir, trash);
      } catch (error) {
        if (isAbsent(error)) return 0;
        throw error;
      }
      const count = (await artifactPaths(trash, levels)).length;
      await rm(trash, { recursive: true, force: true });
      return count;
    } catch (error) {
      throw failure('deletePrefix', error);
    }
  }

  toArtifactRef(object: StoredObject): ArtifactRef {
    return artifactRefOf(object);
  }

  async close(): Promise<void> {}
}
