/**
 * Artifacts in an S3 bucket (AWS S3, MinIO, or any S3-compatible server): the object with key K is the S3
 * object `<prefix>K`, with its content type as ContentType and its sha256 as the user metadata `sha256`.
 *
 * - S3 makes every PutObject, CompleteMultipartUpload and CopyObject visible at once, so readers see the
 *   old object or the whole new one.
 * - Buffers and files are hashed before they are sent, so their sha256 travels with the upload. A stream
 *   is hashed while it uploads (multipart when large) to a staging key outside `jobs/`, then copied onto
 *   its key with the metadata it now knows, and the staging object removed; staging keys never show in a
 *   listing. (A single CopyObject copies at most 5 GB, which bounds a streamed artifact.)
 * - Checksums are computed only where S3 requires them: with the SDK's default checksums, S3-compatible
 *   servers such as s3rver store a streamed upload with its chunk framing (silent corruption).
 * - Connection attempts give up after connectionTimeoutMs and calls are tried maxAttempts times, so an
 *   unreachable server fails fast with STORAGE_UNAVAILABLE (retryable).
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { type ArtifactRef, MySpinBotError } from '@myspinbot/contracts';
import { isArtifactKey, parseArtifactKey, parseArtifactPrefix } from '../keys.js';
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
  chunkToBuffer,
  errnoCode,
  HashingStream,
  hashStream,
  isByteArray,
  openSourceFile,
  sha256Hex,
  unreadableSource,
  writeFileAtomically,
} from '../streams.js';
import type {
  ArtifactStore,
  ByteRange,
  GetResult,
  PutBody,
  PutOptions,
  RangeRequest,
  StoredObject,
} from '../types.js';
import { isNoSuchBucket, isNoSuchKey, isTransient, s3ErrorName, storageError } from './errors.js';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface S3ArtifactStoreOptions {
  bucket: string;
  /** Folder inside the bucket that holds the `jobs/` tree (e.g. 'myspinbot'); none by default. */
  prefix?: string;
  /** Endpoint of an S3-compatible server (MinIO, s3rver); AWS when absent. */
  endpoint?: string;
  region: string;
  /** Path-style URLs (http://host/bucket/key); needed by most S3-compatible servers. */
  forcePathStyle?: boolean;
  /** Explicit credentials; the AWS SDK's default provider chain when absent. */
  credentials?: S3Credentials;
  /** init() creates the bucket when it does not exist (otherwise it fails). Default false. */
  createBucket?: boolean;
  /** Give up a connection attempt after this long (ms). Default 2000. */
  connectionTimeoutMs?: number;
  /** Drop a connection idle this long mid-request (ms). Default 60000. */
  socketTimeoutMs?: number;
  /** Attempts per S3 call, the first included. Default 3. */
  maxAttempts?: number;
  /** Longest ping() waits for the bucket to answer (ms). Default 3000. */
  pingTimeoutMs?: number;
  /** Multipart part size for streamed uploads (bytes, >= 5 MiB). Default 8 MiB. */
  partSizeBytes?: number;
  /** Parts uploaded at once. Default 4. */
  uploadQueueSize?: number;
  /** Keys per ListObjectsV2 page (1..1000). Default 1000. */
  listPageSize?: number;
  /** Keys per DeleteObjects call (1..1000). Default 1000. */
  deleteBatchSize?: number;
  /** HEAD requests list() runs at once to learn content types. Default 8. */
  listConcurrency?: number;
}

const BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const PREFIX_SEGMENT = /^[A-Za-z0-9_.-]{1,128}$/;
const MIB = 1024 * 1024;

function configInvalid(message: string, details: Record<string, unknown>): MySpinBotError {
  return new MySpinBotError('CONFIG_INVALID', message, { details });
}

/** A bucket name S3 accepts: 3-63 of a-z 0-9 . -, starting and ending with a letter or digit. */
export function isBucketName(value: unknown): value is string {
  return typeof value === 'string' && BUCKET_PATTERN.test(value) && !value.includes('..');
}

/**
 * The key prefix for a configured folder: '' for none, otherwise its segments joined by '/' with a
 * trailing '/'. Segments are 1-128 of A-Z a-z 0-9 _ . - and never '.' or '..'; anything else is
 * CONFIG_INVALID.
 */
export function normalizeS3Prefix(prefix: string | undefined): string {
  if (prefix === undefined) return '';
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return '';
  const segments = trimmed.split('/');
  for (const segment of segments) {
    if (!PREFIX_SEGMENT.test(segment) || segment === '.' || segment === '..')
      throw configInvalid(`invalid S3 key prefix ${JSON.stringify(prefix)}`, { prefix });
  }
  return `${segments.join('/')}/`;
}

function boundedInteger(value: number | undefined, fallback: number, min: number, max: number, name: string) {
  const chosen = value ?? fallback;
  if (!Number.isSafeInteger(chosen) || chosen < min || chosen > max)
    throw configInvalid(`S3 option ${name} must be an integer in ${min}..${max}, got ${String(value)}`, {
      [name]: value,
    });
  return chosen;
}

/** Parses `bytes <start>-<end>/<total>`; null when absent or unparsable. */
function parseContentRange(value: string | undefined): (ByteRange & { total: number }) | null {
  const match = value === undefined ? null : /^bytes (\d+)-(\d+)\/(\d+)$/.exec(value.trim());
  if (!match) return null;
  return { start: Number(match[1]), end: Number(match[2]), total: Number(match[3]) };
}

/** The error a pipeline reports when its destination was destroyed before the source ended. */
function isPrematureClose(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === 'ERR_STREAM_PREMATURE_CLOSE';
}

function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** Runs `work` over `items` with at most `limit` at once, keeping order. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const runner = async () => {
    for (;;) {
      const index = next;
      next += 1;
      if (index >= items.length) return;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, runner));
  return results;
}

interface ObjectHeaders {
  ContentLength?: number | undefined;
  ContentType?: string | undefined;
  LastModified?: Date | undefined;
  Metadata?: Record<string, string> | undefined;
}

export class S3ArtifactStore implements ArtifactStore {
  readonly kind = 's3' as const;
  readonly bucket: string;
  /** Key prefix inside the bucket ('' or ending with '/'). */
  readonly prefix: string;
  /** The SDK client (exposed for diagnostics and tests). */
  readonly client: S3Client;
  private readonly createBucket: boolean;
  private readonly pingTimeoutMs: number;
  private readonly partSize: number;
  private readonly queueSize: number;
  private readonly listPageSize: number;
  private readonly deleteBatchSize: number;
  private readonly listConcurrency: number;

  constructor(options: S3ArtifactStoreOptions) {
    if (!isBucketName(options.bucket))
      throw configInvalid(`invalid S3 bucket name ${JSON.stringify(String(options.bucket))}`, {
        bucket: String(options.bucket),
      });
    if (typeof options.region !== 'string' || options.region === '')
      throw configInvalid('the S3 region is required', { region: String(options.region) });
    this.bucket = options.bucket;
    this.prefix = normalizeS3Prefix(options.prefix);
    this.createBucket = options.createBucket ?? false;
    this.pingTimeoutMs = boundedInteger(options.pingTimeoutMs, 3000, 1, 600_000, 'pingTimeoutMs');
    this.partSize = boundedInteger(options.partSizeBytes, 8 * MIB, 5 * MIB, 5 * 1024 * MIB, 'partSizeBytes');
    this.queueSize = boundedInteger(options.uploadQueueSize, 4, 1, 64, 'uploadQueueSize');
    this.listPageSize = boundedInteger(options.listPageSize, 1000, 1, 1000, 'listPageSize');
    this.deleteBatchSize = boundedInteger(options.deleteBatchSize, 1000, 1, 1000, 'deleteBatchSize');
    this.listConcurrency = boundedInteger(options.listConcurrency, 8, 1, 64, 'listConcurrency');
    const config: S3ClientConfig = {
      region: options.region,
      forcePathStyle: options.forcePathStyle ?? false,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: boundedInteger(options.maxAttempts, 3, 1, 10, 'maxAttempts'),
      requestHandler: {
        connectionTimeout: boundedInteger(
          options.connectionTimeoutMs,
          2000,
          1,
          600_000,
          'connectionTimeoutMs',
        ),
        socketTimeout: boundedInteger(options.socketTimeoutMs, 60_000, 1, 3_600_000, 'socketTimeoutMs'),
      },
    };
    if (options.endpoint !== undefined) config.endpoint = options.endpoint;
    if (options.credentials !== undefined) config.credentials = { ...options.credentials };
    this.client = new S3Client(config);
  }

  private objectKey(key: string): string {
    return `${this.prefix}${key}`;
  }

  /** A fresh staging key for a streamed upload: outside `jobs/`, so no listing ever returns it. */
  private stagingKey(): string {
    return `${this.prefix}.staging/${randomUUID()}`;
  }

  private describe(key: string, headers: ObjectHeaders, size: number): StoredObject {
    const object: StoredObject = {
      key,
      size,
      contentType: headers.ContentType ?? DEFAULT_CONTENT_TYPE,
      updatedAt: (headers.LastModified ?? new Date()).toISOString(),
    };
    const sha256 = sha256OrUndefined(headers.Metadata?.sha256);
    if (sha256 !== undefined) object.sha256 = sha256;
    return object;
  }

  async init(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return;
    } catch (error) {
      if (!isNoSuchKey(error) && !isNoSuchBucket(error)) throw storageError(error, 'init', this.bucket);
    }
    if (!this.createBucket)
      throw new MySpinBotError(
        'STORAGE_UNAVAILABLE',
        `S3 bucket "${this.bucket}" does not exist (create it, or let the store create it with createBucket)`,
        { retryable: false, details: { bucket: this.bucket } },
      );
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      const name = s3ErrorName(error);
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists')
        throw storageError(error, 'createBucket', this.bucket);
    }
  }

  async ping(): Promise<boolean> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }), {
        abortSignal: AbortSignal.timeout(this.pingTimeoutMs),
      });
      return true;
    } catch {
      return false;
    }
  }

  async put(key: string, body: PutBody, options: PutOptions): Promise<StoredObject> {
    parseArtifactKey(key);
    const contentType = checkContentType(options.contentType);
    if (isByteArray(body)) return this.putBytes(key, asBuffer(body), contentType);
    return this.putStream(key, body, contentType);
  }

  private async putBytes(key: string, bytes: Buffer, contentType: string): Promise<StoredObject> {
    const sha256 = sha256Hex(bytes);
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.objectKey(key),
          Body: bytes,
          ContentLength: bytes.length,
          ContentType: contentType,
          Metadata: { sha256 },
        }),
      );
    } catch (error) {
      throw storageError(error, 'put', this.bucket, key);
    }
    return { key, size: bytes.length, contentType, sha256, updatedAt: new Date().toISOString() };
  }

  /**
   * Uploads a stream to a staging key while hashing it, then copies it onto `key` with its metadata. A
   * failure of the caller's stream is rethrown as it is; a failure of S3 becomes a storage error.
   */
  private async putStream(
    key: string,
    body: NodeJS.ReadableStream,
    contentType: string,
  ): Promise<StoredObject> {
    const hasher = new HashingStream();
    const staging = this.stagingKey();
    let sourceError: unknown;
    const piping = pipeline(body, hasher).catch((error: unknown) => {
      sourceError = error;
    });
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: staging, Body: hasher, ContentType: contentType },
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
    });
    try {
      try {
        await upload.done();
      } catch (error) {
        // Stops the source too; a source that failed on its own has already set sourceError.
        hasher.destroy();
        await piping;
        if (sourceError !== undefined && !isPrematureClose(sourceError)) throw sourceError;
        throw storageError(error, 'put', this.bucket, key);
      }
      await piping;
      if (sourceError !== undefined) throw sourceError;
      const sha256 = hasher.digest();
      const copied = await this.client
        .send(
          new CopyObjectCommand({
            Bucket: this.bucket,
            Key: this.objectKey(key),
            CopySource: `${this.bucket}/${encodeKey(staging)}`,
            MetadataDirective: 'REPLACE',
            ContentType: contentType,
            Metadata: { sha256 },
          }),
        )
        .catch((error: unknown) => {
          throw storageError(error, 'put', this.bucket, key);
        });
      const updatedAt = (copied.CopyObjectResult?.LastModified ?? new Date()).toISOString();
      return { key, size: hasher.byteCount, contentType, sha256, updatedAt };
    } finally {
      await this.client
        .send(new DeleteObjectCommand({ Bucket: this.bucket, Key: staging }))
        .catch(() => undefined);
    }
  }

  /**
   * Hashes the file, then uploads it with its sha256 in one PutObject or multipart upload; the file must
   * not change while it is being put.
   */
  async putFile(key: string, path: string, options: PutOptions): Promise<StoredObject> {
    parseArtifactKey(key);
    const contentType = checkContentType(options.contentType);
    const source = await openSourceFile(path);
    try {
      const { size, sha256 } = await hashStream(
        source.createReadStream({ start: 0, autoClose: false }),
      ).catch((error: unknown) => {
        throw unreadableSource(path, error);
      });
      const upload = new Upload({
        client: this.client,
        params: {
          Bucket: this.bucket,
          Key: this.objectKey(key),
          Body: source.createReadStream({ start: 0, autoClose: false }),
          ContentType: contentType,
          Metadata: { sha256 },
        },
        partSize: this.partSize,
        queueSize: this.queueSize,
        leavePartsOnError: false,
      });
      await upload.done().catch((error: unknown) => {
        throw storageError(error, 'putFile', this.bucket, key);
      });
      return { key, size, contentType, sha256, updatedAt: new Date().toISOString() };
    } finally {
      await source.close();
    }
  }

  async head(key: string): Promise<StoredObject | null> {
    parseArtifactKey(key);
    try {
      const out = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }),
      );
      return this.describe(key, out, out.ContentLength ?? 0);
    } catch (error) {
      if (isNoSuchKey(error)) return null;
      throw storageError(error, 'head', this.bucket, key);
    }
  }

  async get(key: string, range?: RangeRequest): Promise<GetResult | null> {
    parseArtifactKey(key);
    if (range) checkRangeRequest(range);
    const out = await this.client
      .send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.objectKey(key),
          ...(range ? { Range: `bytes=${range.start}-${range.end ?? ''}` } : {}),
        }),
      )
      .catch((error: unknown) => {
        if (isNoSuchKey(error)) return null;
        throw storageError(error, 'get', this.bucket, key);
      });
    if (!out) return null;
    const body = out.Body;
    if (!(body instanceof Readable))
      throw new MySpinBotError('STORAGE_UNAVAILABLE', `S3 returned no readable body for ${key}`, {
        details: { key, bucket: this.bucket },
      });
    const served = range ? parseContentRange(out.ContentRange) : null;
    if (range && served) {
      try {
        // A server that answers with a range outside the object (s3rver does for an empty one) is refused.
        resolveRange({ start: served.start }, served.total);
        resolveRange(range, served.total);
      } catch (error) {
        body.destroy();
        throw error;
      }
      const object = this.describe(key, out, served.total);
      return { object, body, range: { start: served.start, end: served.end } };
    }
    // Without a Content-Range the server sent the whole object (a server may ignore Range).
    return { object: this.describe(key, out, out.ContentLength ?? 0), body, range: null };
  }

  async getBuffer(key: string): Promise<Buffer | null> {
    const result = await this.get(key);
    if (!result) return null;
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of result.body) chunks.push(chunkToBuffer(chunk));
    } catch (error) {
      throw storageError(error, 'getBuffer', this.bucket, key);
    }
    return Buffer.concat(chunks);
  }

  async downloadTo(key: string, path: string): Promise<StoredObject> {
    const result = await this.get(key);
    if (!result)
      throw new MySpinBotError('ARTIFACT_NOT_FOUND', `no artifact ${JSON.stringify(key)}`, {
        details: { key },
      });
    const { object, body } = result;
    try {
      await writeFileAtomically(path, body, (written) => {
        if (object.sha256 !== undefined && written.sha256 !== object.sha256)
          throw new MySpinBotError('STORAGE_UNAVAILABLE', `artifact ${key} does not match its sha256`, {
            details: { key, expected: object.sha256, actual: written.sha256 },
          });
      });
    } catch (error) {
      // A broken download is S3's failure; a destination that cannot be written is a local one.
      if (error instanceof MySpinBotError || isTransient(error))
        throw storageError(error, 'downloadTo', this.bucket, key);
      throw new MySpinBotError(
        'STORAGE_UNAVAILABLE',
        `cannot write ${JSON.stringify(path)} (${errnoCode(error) ?? String(error)})`,
        {
          retryable: false,
          cause: error,
          details: { key, path },
        },
      );
    }
    return object;
  }

  /**
   * Every S3 key under a store-level prefix (without the store prefix), page by page. Pages are chained
   * with ListObjects markers (the last key seen) rather than ListObjectsV2 continuation tokens: every
   * S3-compatible server supports markers, while s3rver's tokens need a cipher OpenSSL 3 no longer offers.
   */
  private async listRaw(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let marker: string | undefined;
    for (;;) {
      const page = await this.client
        .send(
          new ListObjectsCommand({
            Bucket: this.bucket,
            Prefix: this.objectKey(prefix),
            MaxKeys: this.listPageSize,
            ...(marker === undefined ? {} : { Marker: marker }),
          }),
        )
        .catch((error: unknown) => {
          throw storageError(error, 'list', this.bucket);
        });
      const contents = page.Contents ?? [];
      for (const item of contents) {
        if (item.Key?.startsWith(this.prefix)) keys.push(item.Key.slice(this.prefix.length));
      }
      const last = page.NextMarker ?? contents.at(-1)?.Key;
      if (!page.IsTruncated || last === undefined || last === marker) return keys;
      marker = last;
    }
  }

  async list(prefix: string): Promise<StoredObject[]> {
    parseArtifactPrefix(prefix);
    const keys = (await this.listRaw(prefix)).filter(isArtifactKey).sort();
    const objects = await mapLimited(keys, this.listConcurrency, (key) => this.head(key));
    return objects.filter((object): object is StoredObject => object !== null);
  }

  async delete(key: string): Promise<boolean> {
    if (!(await this.head(key))) return false;
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return true;
    } catch (error) {
      throw storageError(error, 'delete', this.bucket, key);
    }
  }

  /** Removes every object under the prefix (strays included); answers how many artifacts it removed. */
  async deletePrefix(prefix: string): Promise<number> {
    parseArtifactPrefix(prefix);
    const keys = await this.listRaw(prefix);
    let removed = 0;
    for (let i = 0; i < keys.length; i += this.deleteBatchSize) {
      const batch = keys.slice(i, i + this.deleteBatchSize);
      const out = await this.client
        .send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: batch.map((key) => ({ Key: this.objectKey(key) })), Quiet: false },
          }),
        )
        .catch((error: unknown) => {
          throw storageError(error, 'deletePrefix', this.bucket);
        });
      const errors = out.Errors ?? [];
      if (errors.length > 0)
        throw new MySpinBotError(
          'STORAGE_UNAVAILABLE',
          `S3 could not delete ${errors.length} objects under ${prefix}`,
          {
            details: { prefix, errors: errors.slice(0, 20).map((e) => ({ key: e.Key, code: e.Code })) },
          },
        );
      for (const item of out.Deleted ?? []) {
        if (item.Key?.startsWith(this.prefix) && isArtifactKey(item.Key.slice(this.prefix.length)))
          removed += 1;
      }
    }
    return removed;
  }

  toArtifactRef(object: StoredObject): ArtifactRef {
    return artifactRefOf(object);
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
