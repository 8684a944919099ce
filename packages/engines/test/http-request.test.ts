import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MySpinBotError } from '@myspinbot/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type HttpRequestOptions,
  httpRequest,
  isTransientStatus,
  redact,
  serverMessage,
} from '../src/http/request.js';

const SECRET = 'sk-test-secret';

/** Answers GET /status/<n> with that status and a JSON error naming it; /hang never answers. */
let server: Server;
let root = '';

beforeAll(async () => {
  server = createServer((request, response) => {
    const match = /^\/status\/(\d+)$/.exec(request.url ?? '');
    if (request.url === '/hang') return;
    if (match === null) {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end(`echo ${request.method} ${request.headers['x-probe'] ?? ''}`);
      return;
    }
    response.writeHead(Number(match[1]), { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: { message: `status ${match[1]} for ${SECRET}` } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  root = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function options(extra: Partial<HttpRequestOptions> = {}): HttpRequestOptions {
  return {
    service: 'probe',
    timeoutMs: 2000,
    cancelled: () => new MySpinBotError('NODE_CANCELLED', 'probe cancelled'),
    ...extra,
  };
}

async function failure(promise: Promise<unknown>): Promise<MySpinBotError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(MySpinBotError);
  return error as MySpinBotError;
}

describe('httpRequest', () => {
  it('returns a 2xx answer with its whole body', async () => {
    const answer = await httpRequest(
      `${root}/ok`,
      { method: 'POST', headers: { 'x-probe': 'yes' }, body: 'x' },
      options(),
    );
    expect(answer).toMatchObject({ status: 200, ok: true, url: `${root}/ok`, contentType: 'text/plain' });
    expect(new TextDecoder().decode(answer.body)).toBe('echo POST yes');
  });

  it('maps 4xx to NODE_INPUT_INVALID and 5xx, 408, 429 to retryable ENGINE_UNAVAILABLE by default', async () => {
    const bad = await failure(httpRequest(`${root}/status/400`, { method: 'GET' }, options()));
    expect(bad.code).toBe('NODE_INPUT_INVALID');
    expect(bad.retryable).toBe(false);
    expect(bad.message).toBe(`probe rejected the request (HTTP 400): status 400 for ${SECRET}`);
    expect(bad.details).toEqual({ url: `${root}/status/400`, status: 400 });
    for (const status of [500, 503, 408, 429]) {
      const busy = await failure(httpRequest(`${root}/status/${status}`, { method: 'GET' }, options()));
      expect(busy.code).toBe('ENGINE_UNAVAILABLE');
      expect(busy.retryable).toBe(true);
      expect(busy.message).toBe(`probe failed (HTTP ${status}): status ${status} for ${SECRET}`);
    }
  });

  it('lets the caller map statuses, or take the answer back', async () => {
    const mapped = await failure(
      httpRequest(
        `${root}/status/404`,
        { method: 'GET' },
        options({ errorForStatus: (answer) => new MySpinBotError('CONFIG_INVALID', `got ${answer.status}`) }),
      ),
    );
    expect(mapped.code).toBe('CONFIG_INVALID');
    const returned = await httpRequest(
      `${root}/status/404`,
      { method: 'GET' },
      options({ errorForStatus: () => undefined, shownUrl: 'shown' }),
    );
    expect(returned).toMatchObject({ status: 404, ok: false, url: 'shown' });
  });

  it('times out with a retryable ENGINE_UNAVAILABLE naming the deadline', async () => {
    const error = await failure(httpRequest(`${root}/hang`, { method: 'GET' }, options({ timeoutMs: 150 })));
    expect(error.code).toBe('ENGINE_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.message).toBe(`probe did not answer within 150 ms (${root}/hang)`);
    expect(error.details).toEqual({ url: `${root}/hang`, timeoutMs: 150 });
  });

  it('maps a refused connection to a retryable ENGINE_UNAVAILABLE, with the secret redacted', async () => {
    const dead = createServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(dead.address() as AddressInfo).port}/x`;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    const error = await failure(httpRequest(url, { method: 'GET' }, options({ secret: '127.0.0.1' })));
    expect(error.code).toBe('ENGINE_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(
      /^probe could not be reached at http:\/\/127\.0\.0\.1:\d+\/x: ECONNREFUSED/,
    );
    expect(error.message).toContain('[redacted]');
  });

  it("surfaces the caller's cancellation, before and during the request", async () => {
    const before = new AbortController();
    before.abort();
    const early = await failure(
      httpRequest(`${root}/ok`, { method: 'GET' }, options({ signal: before.signal })),
    );
    expect(early.code).toBe('NODE_CANCELLED');
    const during = new AbortController();
    setTimeout(() => during.abort(), 50);
    const late = await failure(
      httpRequest(`${root}/hang`, { method: 'GET' }, options({ signal: during.signal })),
    );
    expect(late.code).toBe('NODE_CANCELLED');
  });
});

describe('HTTP helpers', () => {
  it('classifies transient statuses, redacts secrets and reads server messages', () => {
    expect([500, 502, 408, 429].every(isTransientStatus)).toBe(true);
    expect([400, 401, 404, 422].some(isTransientStatus)).toBe(false);
    expect(redact(`key ${SECRET} and ${SECRET}`, SECRET)).toBe('key [redacted] and [redacted]');
    expect(redact('unchanged', null)).toBe('unchanged');
    expect(serverMessage('{"message":"plain message"}')).toBe('plain message');
  });
});
