/**
 * The distributed mode over HTTP: an API process and a worker process on Redis, with PostgreSQL for the
 * history and a real S3-protocol server for the artifacts. A job submitted with POST /api/train is
 * followed to the end over the WebSocket, its video downloaded, and the history survives a restart of
 * every process.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  freshBucket,
  type RunningS3rver,
  S3RVER_CREDENTIALS,
  startS3rver,
} from '../../../packages/storage/test/s3-server.js';
import { multipart, testdata } from '../../../test/support/http.js';
import { REDIS_URL, randomPrefix } from '../../../test/support/ids.js';
import { TIMINGS } from '../../../test/support/jobs.js';
import { type RoleProcess, startRole } from '../../../test/support/processes.js';

const ADMIN_URL = process.env.DATABASE_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

describe('distributed mode over HTTP (Redis, PostgreSQL, S3)', () => {
  let s3: RunningS3rver;
  let database: string;
  let env: Record<string, string>;
  const processes: RoleProcess[] = [];
  const prefix = randomPrefix('http');

  beforeAll(async () => {
    s3 = await startS3rver();
    database = `msb_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    const url = new URL(ADMIN_URL);
    url.pathname = `/${database}`;
    env = {
      ...TIMINGS,
      REDIS_URL,
      BUS_PREFIX: prefix,
      DATABASE_URL: url.toString(),
      STORAGE_URL: `s3://${freshBucket()}/myspinbot`,
      S3_ENDPOINT: s3.endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    };
  });

  afterAll(async () => {
    await Promise.all(processes.splice(0).map((p) => p.kill()));
    await s3?.stop();
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('runs a job submitted over HTTP to the end, followed over the WebSocket', async () => {
    const api = await startRole('api', env);
    processes.push(api);
    processes.push(await startRole('worker', env));
    const { body, contentType } = multipart({
      image: { filename: 'portrait.jpg', contentType: 'image/jpeg', data: testdata('carl_jung.jpg') },
      prompt: 'Distributed hello.',
      pipeline: 'diagnostics',
    });
    const response = await fetch(`${api.url}/api/train`, {
      method: 'POST',
      body,
      headers: { 'content-type': contentType },
    });
    expect(response.status).toBe(202);
    const { jobId } = (await response.json()) as { jobId: string };

    const socket = new WebSocket(`${api.url.replace('http', 'ws')}/ws`);
    const updates: Record<string, unknown>[] = [];
    const final = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no terminal update within 30 s')), 30_000);
      socket.on('open', () => socket.send(JSON.stringify({ action: 'SUBSCRIBE', jobId })));
      socket.on('message', (data) => {
        const message = JSON.parse(data.toString()) as Record<string, unknown>;
        if (message.type !== 'update') return;
        updates.push(message);
        if (message.status === 'completed' || message.status === 'failed') {
          clearTimeout(timer);
          resolve(message);
        }
      });
    });
    socket.close();
    expect(final.status).toBe('completed');
    expect(updates.some((u) => u.status === 'running')).toBe(true);

    const detail = (await (await fetch(`${api.url}/api/jobs/${jobId}`)).json()) as {
      artifacts: { name: string; url: string }[];
    };
    const portrait = detail.artifacts.find((a) => a.name === 'portrait.jpg');
    const download = await fetch(`${api.url}${portrait?.url}`, { headers: { range: 'bytes=0-99' } });
    expect(download.status).toBe(206);
    expect(Buffer.from(await download.arrayBuffer()).equals(testdata('carl_jung.jpg').subarray(0, 100))).toBe(
      true,
    );

    // Every process restarts: the history (PostgreSQL) still has the job.
    await Promise.all(processes.splice(0).map((p) => p.stop()));
    const again = await startRole('api', env);
    processes.push(again);
    const listed = (await (await fetch(`${again.url}/api/jobs`)).json()) as {
      items: { jobId: string; status: string }[];
    };
    expect(listed.items.find((i) => i.jobId === jobId)?.status).toBe('completed');
  });
});
