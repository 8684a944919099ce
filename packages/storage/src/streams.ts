/**
 * Byte plumbing shared by the stores: hashing while bytes flow (never holding a whole stream in memory)
 * and writing a file atomically (a temporary file in the same folder, flushed, then renamed over the
 * target, so a reader of the target sees the old file or the whole new one).
 */
import { createHash, randomUUID } from 'node:crypto';
import { type FileHandle, mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { MySpinBotError } from '@myspinbot/contracts';

export interface WrittenBytes {
  size: number;
  sha256: string;
}

/** Any chunk a Node stream may yield, as a Buffer (strings are UTF-8). */
export function chunkToBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  throw new TypeError(`a byte stream yielded a ${typeof chunk}`);
}

/** A Buffer view of bytes given as a Buffer or a Uint8Array (no copy). */
export function asBuffer(bytes: Buffer | Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function isByteArray(body: unknown): body is Buffer | Uint8Array {
  return body instanceof Uint8Array;
}

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A pass-through that counts and hashes what flows through it. */
export class HashingStream extends Transform {
  private readonly hash = createHash('sha256');
  private count = 0;

  override _transform(chunk: unknown, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      const bytes = chunkToBuffer(chunk);
      this.hash.update(bytes);
      this.count += bytes.length;
      callback(null, bytes);
    } catch (error) {
      callback(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /**
   * Bytes seen so far. (Not named `size`: the SDK's Upload reads `Body.size` as the length to expect.)
   */
  get byteCount(): number {
    return this.count;
  }

  /** The hex digest; call once, after the stream has finished. */
  digest(): string {
    return this.hash.digest('hex');
  }
}

/** Reads a stream to its end, counting and hashing it. */
export async function hashStream(body: NodeJS.ReadableStream): Promise<WrittenBytes> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of body) {
    const bytes = chunkToBuffer(chunk);
    hash.update(bytes);
    size += bytes.length;
  }
  return { size, sha256: hash.digest('hex') };
}

/** Writes the whole buffer, looping over short writes. */
export async function writeAll(handle: FileHandle, bytes: Buffer): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}

/** A fresh temporary path next to `target`; the leading dot keeps it out of every listing. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${randomUUID()}.tmp`);
}

export interface TempFile extends WrittenBytes {
  path: string;
  /** Inode of the written file, kept through the rename (binds sidecar metadata to this content). */
  ino: string;
  /** Modification time of the written file (ISO-8601), kept through the rename. */
  mtime: string;
}

/**
 * Writes bytes or a stream into a new temporary file next to `target`, hashing as it goes, and flushes it
 * to disk. The caller renames it into place (or removes it); on failure it is already removed.
 */
export async function writeTempFile(
  target: string,
  body: Buffer | NodeJS.ReadableStream | AsyncIterable<unknown>,
): Promise<TempFile> {
  const path = tempPathFor(target);
  const handle = await open(path, 'wx', 0o644);
  try {
    const hash = createHash('sha256');
    let size = 0;
    if (Buffer.isBuffer(body)) {
      hash.update(body);
      size = body.length;
      await writeAll(handle, body);
    } else {
      for await (const chunk of body) {
        const bytes = chunkToBuffer(chunk);
        hash.update(bytes);
        size += bytes.length;
        await writeAll(handle, bytes);
      }
    }
    await handle.sync();
    const stat = await handle.stat({ bigint: true });
    await handle.close();
    return {
      path,
      size,
      sha256: hash.digest('hex'),
      ino: stat.ino.toString(),
      mtime: stat.mtime.toISOString(),
    };
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw error;
  }
}

/**
 * Writes a stream to `target` atomically: a temporary file in the target's folder (created as needed),
 * renamed over the target once complete. `verify` runs before the rename and may throw to abandon it.
 */
export async function writeFileAtomically(
  target: string,
  body: NodeJS.ReadableStream | AsyncIterable<unknown>,
  verify?: (written: WrittenBytes) => void,
): Promise<WrittenBytes> {
  await mkdir(dirname(target), { recursive: true });
  const temp = await writeTempFile(target, body);
  try {
    verify?.(temp);
    await rename(temp.path, target);
  } catch (error) {
    await unlink(temp.path).catch(() => undefined);
    throw error;
  }
  return { size: temp.size, sha256: temp.sha256 };
}

/** The errno code of a Node system error, or undefined for anything else. */
export function errnoCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

/**
 * The error for a caller's local file that putFile cannot read: the caller's problem, not the store's, so
 * STORAGE_UNAVAILABLE but never retryable, naming the path.
 */
export function unreadableSource(path: string, error: unknown): MySpinBotError {
  const code = errnoCode(error) ?? 'unknown error';
  return new MySpinBotError('STORAGE_UNAVAILABLE', `cannot read the file ${JSON.stringify(path)} (${code})`, {
    retryable: false,
    cause: error,
    details: { path, code },
  });
}

/** Opens a caller's local file for putFile (unreadableSource when it cannot). */
export async function openSourceFile(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (error) {
    throw unreadableSource(path, error);
  }
}
