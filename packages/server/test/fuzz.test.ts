/**
 * Fuzzing the public surface with fast-check: arbitrary paths, query strings, bodies, multipart parts and
 * WebSocket messages never get a 5xx, never crash the process and never leave an unhandled rejection.
 * (npm run bench runs the same properties with 10,000 cases each.)
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { multipart } from '../../../test/support/http.js';
import { type Harness, startHarness } from './harness.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

describe('fuzzing the API', () => {
  let h: Harness;
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onRejection);
    h = await startHarness();
    await h.proc.app.inject({ method: 'GET', url: '/api/pipelines' });
  });

  afterAll(async () => {
    await h.close();
    process.off('unhandledRejection', onRejection);
    expect(rejections).toEqual([]);
  });

  const segment = fc.oneof(
    fc.string({ maxLength: 80 }),
    fc.constantFrom('..', '%2e%2e', '%00', 'jobs', 'input', 'portrait.jpg', 'a'.repeat(70)),
  );

  it('answers arbitrary GET/POST/DELETE paths under /api without a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'DELETE'),
        fc.constantFrom('/api/status/', '/api/jobs/', '/api/jobs/x/artifacts/', '/api/jobs/x/', '/api/'),
        segment,
        segment,
        async (method, base, a, b) => {
          const url = `${base}${encodeURIComponent(a)}/${encodeURIComponent(b)}`;
          const response = await h.proc.app.inject({ method, url });
          expect(response.statusCode).toBeLessThan(500);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('answers arbitrary query strings on GET /api/jobs without a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.constantFrom('limit', 'cursor', 'status', 'pipeline', 'x'),
          fc.string({ maxLength: 60 }),
        ),
        async (query) => {
          const response = await h.proc.app.inject({ method: 'GET', url: '/api/jobs', query });
          expect(response.statusCode).toBeLessThan(500);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('answers arbitrary multipart bodies on POST /api/train with a 4xx (or 202), never a 5xx', async () => {
    const file = fc.record({
      filename: fc.string({ maxLength: 20 }),
      contentType: fc.constantFrom('image/jpeg', 'image/png', 'audio/wav', 'text/plain', ''),
      data: fc.uint8Array({ maxLength: 2048 }).map((a) => Buffer.from(a)),
    });
    const value = fc.oneof(fc.string({ maxLength: 200 }), file);
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.constantFrom(
            'image',
            'voice',
            'prompt',
            'voiceText',
            'pipeline',
            'options',
            'callbackUrl',
            'other',
          ),
          value,
          { maxKeys: 6 },
        ),
        async (fields) => {
          const response = await h.train(fields);
          expect(response.statusCode).toBeLessThan(500);
          if (response.statusCode !== 202) expect(response.json().error.code).toMatch(/^[A-Z_]+$/);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('answers raw arbitrary bodies and content types on POST /api/train without a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          'multipart/form-data',
          'multipart/form-data; boundary=x',
          'application/json',
          'text/plain',
          'application/octet-stream',
        ),
        fc.uint8Array({ maxLength: 1024 }),
        async (contentType, bytes) => {
          const response = await h.proc.app.inject({
            method: 'POST',
            url: '/api/train',
            payload: Buffer.from(bytes),
            headers: { 'content-type': contentType },
          });
          expect(response.statusCode).toBeLessThan(500);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('keeps a WebSocket open and answering through arbitrary messages', async () => {
    const socket = new WebSocket(`${h.proc.url.replace('http', 'ws')}/ws`);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    let answers = 0;
    socket.on('message', () => {
      answers += 1;
    });
    const message = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.json({ maxDepth: 3 }),
      fc
        .record({
          action: fc.constantFrom('SUBSCRIBE', 'UNSUBSCRIBE', 'subscribe', ''),
          jobId: fc.oneof(fc.string({ maxLength: 80 }), fc.integer()),
        })
        .map((m) => JSON.stringify(m)),
    );
    const sent = fc.sample(message, RUNS * 4);
    for (const text of sent) socket.send(text);
    for (let i = 0; i < 200 && answers < sent.length; i++) await new Promise((r) => setTimeout(r, 25));
    expect(answers).toBeGreaterThanOrEqual(sent.length);
    expect(socket.readyState).toBe(WebSocket.OPEN);
    socket.close();
    void multipart;
  });
});
