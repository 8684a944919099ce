/**
 * The job API in process (embedded composition): uploads, planning, history, cancel, retry, delete,
 * artifacts with Range, and every refused input leaving nothing stored or enqueued.
 */
import { createServer } from 'node:http';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testdata } from '../../../test/support/http.js';
import { REDIS_URL, randomPrefix } from '../../../test/support/ids.js';
import { createTestDatabase, type TestDatabase } from '../../../test/support/postgres.js';
import { type Harness, portrait, startHarness } from './harness.js';

/** The same API tests on the embedded defaults and on the distributed back ends (Redis bus, PostgreSQL). */
const BACKENDS = [
  { name: 'memory bus + SQLite', redis: false },
  { name: 'Redis bus + PostgreSQL', redis: true },
];

describe.each(BACKENDS)('job API ($name)', ({ redis }) => {
  let h: Harness;
  let database: TestDatabase | null = null;

  beforeAll(async () => {
    const backend: Record<string, string> = {};
    if (redis) {
      database = await createTestDatabase('api');
      Object.assign(backend, { REDIS_URL, BUS_PREFIX: randomPrefix('api'), DATABASE_URL: database.url });
    }
    h = await startHarness({
      MAX_IMAGE_BYTES: String(200 * 1024),
      CALLBACK_HOSTS: 'hooks.example.test,127.0.0.1',
      ...backend,
    });
    // Warm the manifest cache so refused requests below run no capabilities job.
    expect((await h.proc.app.inject({ method: 'GET', url: '/api/pipelines' })).statusCode).toBe(200);
  });

  afterAll(async () => {
    await h.close();
    await database?.drop();
  });

  it('accepts a portrait and a prompt, runs the job across both planes and keeps it in the history', async () => {
    const response = await h.train({
      image: portrait(),
      prompt: 'Hello from the test',
      options: '{"fps":25}',
    });
    expect(response.statusCode).toBe(202);
    const accepted = response.json() as { jobId: string; status: string; pipeline: string };
    expect(accepted).toMatchObject({ status: 'queued', pipeline: 'quick' });
    expect(response.headers.location).toBe(`/api/jobs/${accepted.jobId}`);
    const record = await h.waitForEnd(accepted.jobId);
    expect(record.status).toBe('completed');
    const detail = (await h.proc.app.inject({ method: 'GET', url: `/api/jobs/${accepted.jobId}` })).json();
    expect(detail).toMatchObject({
      jobId: accepted.jobId,
      status: 'completed',
      progress: 1,
      pipeline: 'quick',
    });
    expect(detail.input).toMatchObject({ prompt: 'Hello from the test', options: { fps: 25 } });
    expect(detail.nodes.map((n: { id: string; status: string }) => `${n.id}:${n.status}`)).toEqual([
      'prepare:completed',
      'work:completed',
      'finish:completed',
    ]);
    const portraitRef = detail.artifacts.find((a: { name: string }) => a.name === 'portrait.jpg');
    expect(portraitRef).toMatchObject({
      nodeId: 'input',
      contentType: 'image/jpeg',
      size: testdata('carl_jung.jpg').length,
    });
    // The history has it too (the recorder writes on status events).
    for (let i = 0; i < 50; i++) {
      const entry = await h.proc.history.get(accepted.jobId);
      if (entry?.status === 'completed') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const listed = (await h.proc.app.inject({ method: 'GET', url: '/api/jobs?limit=5' })).json();
    expect(listed.items[0]).toMatchObject({
      jobId: accepted.jobId,
      status: 'completed',
      prompt: 'Hello from the test',
    });

    // Artifact download with the right type and Range support.
    const whole = await h.proc.app.inject({ method: 'GET', url: portraitRef.url });
    expect(whole.statusCode).toBe(200);
    expect(whole.headers['content-type']).toBe('image/jpeg');
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(whole.rawPayload.equals(testdata('carl_jung.jpg'))).toBe(true);
    const part = await h.proc.app.inject({
      method: 'GET',
      url: portraitRef.url,
      headers: { range: 'bytes=100-199' },
    });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-199/${portraitRef.size}`);
    expect(part.rawPayload.equals(testdata('carl_jung.jpg').subarray(100, 200))).toBe(true);
    const suffix = await h.proc.app.inject({
      method: 'GET',
      url: portraitRef.url,
      headers: { range: 'bytes=-10' },
    });
    expect(suffix.rawPayload.equals(testdata('carl_jung.jpg').subarray(-10))).toBe(true);
    const beyond = await h.proc.app.inject({
      method: 'GET',
      url: portraitRef.url,
      headers: { range: `bytes=${portraitRef.size}-` },
    });
    expect(beyond.statusCode).toBe(416);
    const traversal = await h.proc.app.inject({
      method: 'GET',
      url: `/api/jobs/${accepted.jobId}/artifacts/input/..%2F..%2Fhistory.sqlite`,
    });
    expect(traversal.statusCode).toBe(404);
  });

  it('marks nodes whose condition the request does not meet as skipped', async () => {
    const response = await h.train({ image: portrait(), prompt: 'no voice here', pipeline: 'with-voice' });
    expect(response.statusCode).toBe(202);
    const record = await h.waitForEnd(response.json().jobId);
    expect(record.status).toBe('completed');
    expect(record.graph?.nodes.map((n) => n.status)).toEqual(['completed', 'skipped', 'completed']);
    expect(record.graph?.nodes[2]?.output).toMatchObject({ input: { voice: null } });
  });

  const tinyPng = async () =>
    sharp({ create: { width: 100, height: 100, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();

  const refusals: [
    string,
    () => Promise<Record<string, Parameters<Harness['train']>[0][string]>>,
    number,
    string,
  ][] = [
    ['no prompt', async () => ({ image: portrait() }), 400, 'INPUT_MISSING'],
    ['an empty prompt', async () => ({ image: portrait(), prompt: '   ' }), 400, 'INPUT_MISSING'],
    ['no image', async () => ({ prompt: 'hi' }), 400, 'INPUT_MISSING'],
    [
      'a text file named .jpg',
      async () => ({
        image: { filename: 'x.jpg', contentType: 'image/jpeg', data: Buffer.from('not an image at all') },
        prompt: 'hi',
      }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'a truncated JPEG',
      async () => ({
        image: {
          filename: 'x.jpg',
          contentType: 'image/jpeg',
          data: testdata('carl_jung.jpg').subarray(0, 4000),
        },
        prompt: 'hi',
      }),
      415,
      'MEDIA_INVALID',
    ],
    [
      'an image over the size limit',
      async () => ({
        image: {
          filename: 'big.png',
          contentType: 'image/png',
          data: Buffer.concat([await tinyPng(), Buffer.alloc(300 * 1024)]),
        },
        prompt: 'hi',
      }),
      413,
      'INPUT_TOO_LARGE',
    ],
    [
      'a tiny image',
      async () => ({
        image: {
          filename: 's.png',
          contentType: 'image/png',
          data: await sharp({ create: { width: 20, height: 20, channels: 3, background: '#000' } })
            .png()
            .toBuffer(),
        },
        prompt: 'hi',
      }),
      415,
      'MEDIA_INVALID',
    ],
    [
      'an MP3 as voice',
      async () => ({
        image: portrait(),
        prompt: 'hi',
        voice: {
          filename: 'v.mp3',
          contentType: 'audio/mpeg',
          data: Buffer.from('ID3\u0004\u0000\u0000\u0000\u0000\u0000\u0000rest'),
        },
      }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'a voice that is not audio',
      async () => ({
        image: portrait(),
        prompt: 'hi',
        voice: { filename: 'v.wav', contentType: 'audio/wav', data: Buffer.from('hello') },
      }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'a voice transcript without a voice',
      async () => ({ image: portrait(), prompt: 'hi', voiceText: 'words' }),
      400,
      'INPUT_MISSING',
    ],
    [
      'options that are not JSON',
      async () => ({ image: portrait(), prompt: 'hi', options: '{fps:' }),
      400,
      'SCHEMA_INVALID',
    ],
    [
      'an unknown option',
      async () => ({ image: portrait(), prompt: 'hi', options: '{"gpu":true}' }),
      400,
      'SCHEMA_INVALID',
    ],
    [
      'an option out of range',
      async () => ({ image: portrait(), prompt: 'hi', options: '{"fps":1000}' }),
      400,
      'SCHEMA_INVALID',
    ],
    [
      'an unknown field',
      async () => ({ image: portrait(), prompt: 'hi', extra: 'x' }),
      400,
      'SCHEMA_INVALID',
    ],
    [
      'an unknown pipeline',
      async () => ({ image: portrait(), prompt: 'hi', pipeline: 'nope' }),
      422,
      'PIPELINE_UNKNOWN',
    ],
    [
      'a pipeline naming a service no plane has',
      async () => ({ image: portrait(), prompt: 'hi', pipeline: 'needs-gpu' }),
      422,
      'GRAPH_UNKNOWN_SERVICE',
    ],
    [
      'a callback to a host not allowed',
      async () => ({ image: portrait(), prompt: 'hi', callbackUrl: 'http://evil.example.test/x' }),
      422,
      'CALLBACK_NOT_ALLOWED',
    ],
    [
      'a prompt over the limit',
      async () => ({ image: portrait(), prompt: 'x'.repeat(5000) }),
      413,
      'INPUT_TOO_LARGE',
    ],
  ];

  it.each(refusals)(
    'refuses %s with the right status and code, changing nothing',
    async (_name, fields, status, code) => {
      const before = await h.footprint();
      const response = await h.train(await fields());
      expect(response.statusCode).toBe(status);
      expect(response.json()).toMatchObject({ error: { code } });
      expect(typeof response.json().error.message).toBe('string');
      expect(await h.footprint()).toEqual(before);
    },
  );

  it('refuses a request that is not multipart', async () => {
    const before = await h.footprint();
    const response = await h.proc.app.inject({
      method: 'POST',
      url: '/api/train',
      payload: { prompt: 'hi' },
    });
    expect(response.statusCode).toBe(415);
    expect(response.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(await h.footprint()).toEqual(before);
  });

  it('cancels a running job: its node is aborted and what waits is cancelled', async () => {
    const { jobId } = (await h.train({ prompt: 'long one', pipeline: 'slow' })).json();
    for (let i = 0; i < 200; i++) {
      const state = (await h.proc.app.inject({ method: 'GET', url: `/api/jobs/${jobId}` })).json();
      if (state.nodes.find((n: { id: string }) => n.id === 'long')?.status === 'running') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const cancel = await h.proc.app.inject({ method: 'POST', url: `/api/jobs/${jobId}/cancel` });
    expect(cancel.statusCode).toBe(202);
    const record = await h.waitForEnd(jobId);
    expect(record.status).toBe('cancelled');
    expect(record.graph?.nodes.map((n) => n.status)).toEqual(['completed', 'cancelled', 'cancelled']);
    const again = await h.proc.app.inject({ method: 'POST', url: `/api/jobs/${jobId}/cancel` });
    expect(again.statusCode).toBe(409);
    // A cancelled job can be retried; the completed node is kept.
    const retry = await h.proc.app.inject({ method: 'POST', url: `/api/jobs/${jobId}/retry` });
    expect(retry.statusCode).toBe(202);
    await h.proc.app.inject({ method: 'POST', url: `/api/jobs/${jobId}/cancel` });
    expect((await h.waitForEnd(jobId)).status).toBe('cancelled');
  });

  it('retries a failed job from the failed node, keeping what completed', async () => {
    const { jobId } = (await h.train({ prompt: 'flaky', pipeline: 'flaky' })).json();
    const failed = await h.waitForEnd(jobId);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({
      nodeId: 'flaky',
      code: 'ENGINE_UNAVAILABLE',
      message: 'the engine blinked',
    });
    const status = (await h.proc.app.inject({ method: 'GET', url: `/api/status/${jobId}` })).json();
    expect(status.error).toMatchObject({ nodeId: 'flaky', code: 'ENGINE_UNAVAILABLE' });
    const notYet = await h.proc.app.inject({ method: 'POST', url: `/api/jobs/${jobId}/retry` });
    expect(notYet.statusCode).toBe(202);
    const done = await h.waitForEnd(jobId);
    expect(done.status).toBe('completed');
    const nodes = new Map(done.graph?.nodes.map((n) => [n.id, n]));
    expect(nodes.get('prepare')?.attempts).toBe(1);
    expect(nodes.get('flaky')?.attempts).toBe(2);
    const completedRetry = await h.proc.app.inject({ method: 'POST', url: `/api/jobs/${jobId}/retry` });
    expect(completedRetry.statusCode).toBe(409);
    expect(completedRetry.json().error.code).toBe('JOB_NOT_RETRYABLE');
  });

  it('deletes a job with its artifacts and history', async () => {
    const { jobId } = (await h.train({ image: portrait(), prompt: 'to delete' })).json();
    await h.waitForEnd(jobId);
    expect((await h.proc.store.list(`jobs/${jobId}/`)).length).toBeGreaterThan(0);
    const deleted = await h.proc.app.inject({ method: 'DELETE', url: `/api/jobs/${jobId}` });
    expect(deleted.statusCode).toBe(204);
    expect((await h.proc.app.inject({ method: 'GET', url: `/api/jobs/${jobId}` })).statusCode).toBe(404);
    expect(await h.proc.store.list(`jobs/${jobId}/`)).toEqual([]);
    expect(await h.proc.history.get(jobId)).toBeNull();
    expect((await h.proc.app.inject({ method: 'DELETE', url: `/api/jobs/${jobId}` })).statusCode).toBe(404);
  });

  it('pages the history newest first and filters by status', async () => {
    const page1 = (await h.proc.app.inject({ method: 'GET', url: '/api/jobs?limit=2' })).json();
    expect(page1.items).toHaveLength(2);
    expect(page1.total).toBeGreaterThanOrEqual(3);
    const page2 = (
      await h.proc.app.inject({
        method: 'GET',
        url: `/api/jobs?limit=2&cursor=${encodeURIComponent(page1.nextCursor)}`,
      })
    ).json();
    const ids = [...page1.items, ...page2.items].map((i: { jobId: string }) => i.jobId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(page1.items[0].createdAt >= page1.items[1].createdAt).toBe(true);
    const cancelled = (await h.proc.app.inject({ method: 'GET', url: '/api/jobs?status=cancelled' })).json();
    expect(cancelled.items.every((i: { status: string }) => i.status === 'cancelled')).toBe(true);
    expect((await h.proc.app.inject({ method: 'GET', url: '/api/jobs?status=bogus' })).statusCode).toBe(400);
    expect((await h.proc.app.inject({ method: 'GET', url: '/api/jobs?limit=0' })).statusCode).toBe(400);
    expect((await h.proc.app.inject({ method: 'GET', url: '/api/jobs?cursor=%%%' })).statusCode).toBe(400);
  });

  it('calls the job webhook once, on the terminal state, with the results', async () => {
    const calls: { body: Record<string, unknown>; contentType: string | undefined }[] = [];
    const server = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
      });
      request.on('end', () => {
        calls.push({
          body: JSON.parse(text) as Record<string, unknown>,
          contentType: request.headers['content-type'],
        });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const accepted = await h.train({
        image: portrait(),
        prompt: 'hook me',
        callbackUrl: `http://127.0.0.1:${port}/done`,
      });
      expect(accepted.statusCode, accepted.body).toBe(202);
      const { jobId } = accepted.json();
      await h.waitForEnd(jobId);
      for (let i = 0; i < 100 && calls.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 200));
      expect(calls).toHaveLength(1);
      expect(calls[0]?.contentType).toBe('application/json');
      expect(calls[0]?.body).toMatchObject({ jobId, status: 'completed', pipeline: 'quick' });
      const artifacts = (calls[0]?.body.artifacts ?? []) as { name: string }[];
      expect(artifacts.some((a) => a.name === 'portrait.jpg')).toBe(true);
    } finally {
      server.close();
    }
  });

  it('serves an OpenAPI document built from the schemas', async () => {
    const doc = (await h.proc.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/train', '/api/jobs/{jobId}/retry']));
    expect(doc.components.schemas.JobState.properties.status.$ref).toBe('#/components/schemas/JobStatus');
    expect(doc.components.schemas.TrainOptions.additionalProperties).toBe(false);
  });
});
