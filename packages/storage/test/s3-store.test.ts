import { randomBytes } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { MySpinBotError } from '@myspinbot/contracts';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jobPrefix } from '../src/keys.js';
import { isNoSuchKey, storageError } from '../src/s3/errors.js';
import { normalizeS3Prefix, S3ArtifactStore } from '../src/s3/s3-store.js';
import { patternChunks, rejection, runStoreConformance, sha256 } from './conformance.js';
import { closedPort, freshBucket, type RunningS3rver, S3RVER_CREDENTIALS, startS3rver } from './s3-server.js';

let s3rver: RunningS3rver;

beforeAll(async () => {
  s3rver = await startS3rver();
});

afterAll(async () => {
  await s3rver.stop();
});

runStoreConformance('S3ArtifactStore (s3rver, fresh bucket and key prefix per test)', async () => {
  const store = new S3ArtifactStore({
    bucket: freshBucket(),
    prefix: `p-${randomBytes(4).toString('hex')}/artifacts`,
    endpoint: s3rver.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    createBucket: true,
  });
  let requests = 0;
  store.client.middlewareStack.add(
    (next) => async (args) => {
      requests += 1;
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  return {
    store,
    // s3rver writes objects in place (real S3 replaces them atomically).
    atomicBackend: false,
    footprint: async () => String(requests),
    dispose: () => store.close(),
  };
});

function rawClient(): S3Client {
  return new S3Client({
    endpoint: s3rver.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

async function rawKeys(client: S3Client, bucket: string): Promise<string[]> {
  const out = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (out.Contents ?? []).map((o) => o.Key ?? '').sort();
}

describe('S3ArtifactStore specifics', () => {
  let bucket: string;
  let store: S3ArtifactStore;
  let raw: S3Client;

  beforeEach(async () => {
    bucket = freshBucket();
    store = new S3ArtifactStore({
      bucket,
      endpoint: s3rver.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: S3RVER_CREDENTIALS,
      createBucket: true,
      listPageSize: 2,
      deleteBatchSize: 2,
    });
    await store.init();
    raw = rawClient();
  });

  afterEach(async () => {
    await store.close();
    raw.destroy();
  });

  it('stores each artifact as one object at its key, with ContentType and sha256 metadata, no staging left', async () => {
    const small = randomBytes(1000);
    const big = Buffer.concat([...patternChunks(6 * 1024 * 1024, 256 * 1024, 3)]);
    await store.put('jobs/j1/n1/small.bin', small, { contentType: 'application/x-small' });
    await store.put('jobs/j1/n1/big.bin', Readable.from([big]), { contentType: 'video/mp4' });
    expect(await rawKeys(raw, bucket)).toEqual(['jobs/j1/n1/big.bin', 'jobs/j1/n1/small.bin']);
    const head = await raw.send(new HeadObjectCommand({ Bucket: bucket, Key: 'jobs/j1/n1/big.bin' }));
    expect(head.ContentType).toBe('video/mp4');
    expect(head.Metadata?.sha256).toBe(sha256(big));
    expect(head.ContentLength).toBe(big.length);
    // The stored bytes are the bytes (no aws-chunked framing).
    const got = await raw.send(new GetObjectCommand({ Bucket: bucket, Key: 'jobs/j1/n1/big.bin' }));
    expect(Buffer.from((await got.Body?.transformToByteArray()) ?? []).equals(big)).toBe(true);
  });

  it('lists and deletes page by page, skipping objects whose keys are not artifact keys', async () => {
    const keys = ['a', 'b', 'c', 'd', 'e'].map((name) => `jobs/j1/n1/${name}`);
    for (const key of keys) await store.put(key, Buffer.from(key), { contentType: 'text/plain' });
    for (const stray of ['jobs/j1/n1/deep/er', 'jobs/j1/n1/.hidden', 'jobs/j1/x y/z'])
      await raw.send(new PutObjectCommand({ Bucket: bucket, Key: stray, Body: 'stray' }));
    let listCalls = 0;
    store.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'ListObjectsCommand') listCalls += 1;
        return next(args);
      },
      { step: 'initialize', name: 'countLists' },
    );
    expect((await store.list(jobPrefix('j1'))).map((o) => o.key)).toEqual(keys);
    expect(listCalls).toBe(4);
    expect(await store.deletePrefix(jobPrefix('j1'))).toBe(5);
    expect(await rawKeys(raw, bucket)).toEqual([]);
  });

  it('init fails (not retryable) on a missing bucket unless it may create it', async () => {
    const absent = new S3ArtifactStore({
      bucket: freshBucket(),
      endpoint: s3rver.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: S3RVER_CREDENTIALS,
    });
    const error = await rejection(absent.init());
    expect(error.code).toBe('STORAGE_UNAVAILABLE');
    expect(error.retryable).toBe(false);
    expect(await absent.ping()).toBe(false);
    // (A HEAD answer has no body to tell a missing bucket from a missing object: head() says null.)
    expect(await absent.head('jobs/j/n/x')).toBeNull();
    const missingBucket = await rejection(absent.get('jobs/j/n/x'));
    expect(missingBucket.code).toBe('STORAGE_UNAVAILABLE');
    expect(missingBucket.retryable).toBe(false);
    await absent.close();
  });

  it('a store pointed at a closed port fails fast with STORAGE_UNAVAILABLE (retryable)', async () => {
    const port = await closedPort();
    const dead = new S3ArtifactStore({
      bucket: 'artifacts',
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: S3RVER_CREDENTIALS,
    });
    const started = Date.now();
    for (const call of [
      () => dead.init(),
      () => dead.head('jobs/j/n/x'),
      () => dead.put('jobs/j/n/x', Buffer.from('x'), { contentType: 'text/plain' }),
      () => dead.list('jobs/'),
    ]) {
      const error = await rejection(call());
      expect(error.code).toBe('STORAGE_UNAVAILABLE');
      expect(error.retryable).toBe(true);
    }
    expect(await dead.ping()).toBe(false);
    expect(Date.now() - started).toBeLessThan(15_000);
    await dead.close();
  });

  it('a server that accepts connections but never answers fails within the socket timeout (retryable)', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = address !== null && typeof address === 'object' ? address.port : 0;
    const stalled = new S3ArtifactStore({
      bucket: 'artifacts',
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: S3RVER_CREDENTIALS,
      socketTimeoutMs: 300,
      maxAttempts: 2,
      pingTimeoutMs: 300,
    });
    try {
      const started = Date.now();
      const error = await rejection(stalled.head('jobs/j/n/x'));
      expect(error.code).toBe('STORAGE_UNAVAILABLE');
      expect(error.retryable).toBe(true);
      expect(Date.now() - started).toBeLessThan(5_000);
      const pinged = Date.now();
      expect(await stalled.ping()).toBe(false);
      expect(Date.now() - pinged).toBeLessThan(2_000);
    } finally {
      await stalled.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('refuses a configuration it cannot use', () => {
    const base = { region: 'us-east-1', endpoint: s3rver.endpoint };
    for (const options of [
      { ...base, bucket: 'Bad_Bucket' },
      { ...base, bucket: 'ok-bucket', prefix: 'a/../b' },
      { ...base, bucket: 'ok-bucket', partSizeBytes: 1024 },
      { ...base, bucket: 'ok-bucket', listPageSize: 5000 },
      { ...base, bucket: 'ok-bucket', region: '' },
    ]) {
      try {
        new S3ArtifactStore(options);
        expect.unreachable(`accepted ${JSON.stringify(options)}`);
      } catch (error) {
        expect(error).toBeInstanceOf(MySpinBotError);
        expect((error as MySpinBotError).code).toBe('CONFIG_INVALID');
      }
    }
    expect(normalizeS3Prefix('/a/b/')).toBe('a/b/');
    expect(normalizeS3Prefix('')).toBe('');
    expect(normalizeS3Prefix(undefined)).toBe('');
  });
});

describe('S3 error mapping', () => {
  const failure = (name: string, status?: number, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status }, ...extra });

  it('maps S3 and network failures onto the error codes', () => {
    expect(isNoSuchKey(failure('NoSuchKey', 404))).toBe(true);
    expect(isNoSuchKey(failure('NotFound', 404))).toBe(true);
    expect(isNoSuchKey(failure('NoSuchBucket', 404))).toBe(false);
    const cases: [unknown, string, boolean][] = [
      [failure('InvalidRange', 416), 'RANGE_NOT_SATISFIABLE', false],
      [failure('NoSuchBucket', 404), 'STORAGE_UNAVAILABLE', false],
      [failure('AccessDenied', 403), 'STORAGE_UNAVAILABLE', false],
      [failure('InternalError', 500), 'STORAGE_UNAVAILABLE', true],
      [failure('SlowDown', 503), 'STORAGE_UNAVAILABLE', true],
      [failure('TimeoutError'), 'STORAGE_UNAVAILABLE', true],
      [
        Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
        'STORAGE_UNAVAILABLE',
        true,
      ],
      [
        new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })], 'all attempts failed'),
        'STORAGE_UNAVAILABLE',
        true,
      ],
      [failure('InvalidArgument', 400), 'STORAGE_UNAVAILABLE', false],
    ];
    for (const [error, code, retryable] of cases) {
      const mapped = storageError(error, 'get', 'bucket', 'jobs/j/n/x');
      expect(mapped.code, String(error)).toBe(code);
      expect(mapped.retryable, String(error)).toBe(retryable);
      expect(mapped.cause).toBe(error);
    }
    const own = new MySpinBotError('ARTIFACT_KEY_INVALID', 'x');
    expect(storageError(own, 'get', 'bucket')).toBe(own);
  });
});
