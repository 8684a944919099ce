/**
 * WebSocket /ws with the seed's protocol, against the listening embedded server: snapshot on subscribe,
 * event-driven updates to the terminal state, errors that do not close the connection, an unknown job
 * failing for that id only, and API keys and Origin checks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Harness, portrait, startHarness } from './harness.js';

type Message = Record<string, unknown> & { type: string };

class Client {
  readonly messages: Message[] = [];
  private waiters: { match: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as Message;
      this.messages.push(message);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(message)) return true;
        w.resolve(message);
        return false;
      });
    });
  }

  static async connect(url: string, options: WebSocket.ClientOptions = {}): Promise<Client> {
    const socket = new WebSocket(url, options);
    const client = new Client(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  next(match: (m: Message) => boolean, timeoutMs = 10_000): Promise<Message> {
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching message within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }
}

describe('WebSocket /ws', () => {
  let h: Harness;
  let wsUrl: string;

  beforeAll(async () => {
    h = await startHarness();
    wsUrl = `${h.proc.url.replace('http', 'ws')}/ws`;
  });

  afterAll(async () => {
    await h.close();
  });

  it('sends a snapshot on subscribe, then updates driven by events, and a final update', async () => {
    const client = await Client.connect(wsUrl);
    const { jobId } = (await h.train({ image: portrait(), prompt: 'watch me' })).json();
    client.send({ action: 'SUBSCRIBE', jobId });
    const snapshot = await client.next((m) => m.type === 'update' && m.jobId === jobId);
    expect(['queued', 'running', 'completed']).toContain(snapshot.status);
    const final = await client.next(
      (m) => m.type === 'update' && m.jobId === jobId && m.status === 'completed',
    );
    expect(final.progress).toBe(1);
    const updates = client.messages.filter((m) => m.type === 'update' && m.jobId === jobId);
    expect(updates.length).toBeGreaterThanOrEqual(3);
    const progress = updates.map((u) => Number(u.progress));
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    // A reconnecting client gets the current state at once.
    const again = await Client.connect(wsUrl);
    again.send({ action: 'SUBSCRIBE', jobId });
    expect((await again.next((m) => m.type === 'update')).status).toBe('completed');
    client.socket.close();
    again.socket.close();
  });

  it('answers bad messages with an error and keeps the connection open', async () => {
    const client = await Client.connect(wsUrl);
    client.send('not json');
    expect((await client.next((m) => m.type === 'error')).error).toMatchObject({ code: 'BAD_MESSAGE' });
    client.send({ action: 'DANCE', jobId: 'x' });
    client.send({ action: 'SUBSCRIBE', jobId: '../../etc' });
    client.send([1, 2, 3]);
    for (let i = 0; i < 50 && client.messages.filter((m) => m.type === 'error').length < 4; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(client.messages.filter((m) => m.type === 'error')).toHaveLength(4);
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
    client.socket.close();
  });

  it('fails an unknown job for that id only; the other subscriptions keep flowing', async () => {
    const client = await Client.connect(wsUrl);
    const { jobId } = (await h.train({ prompt: 'slow one', pipeline: 'slow' })).json();
    client.send({ action: 'SUBSCRIBE', jobId: 'no-such-job' });
    client.send({ action: 'SUBSCRIBE', jobId });
    const error = await client.next((m) => m.type === 'error');
    expect(error).toMatchObject({ jobId: 'no-such-job', error: { code: 'JOB_NOT_FOUND' } });
    await client.next((m) => m.type === 'update' && m.jobId === jobId && m.status === 'running');
    const before = client.messages.length;
    await client.next(
      (m) => m.type === 'update' && m.jobId === jobId && client.messages.indexOf(m) >= before,
    );
    // Cancel it: the final update arrives on the same socket.
    await h.proc.app.inject({ method: 'POST', url: `/api/jobs/${jobId}/cancel` });
    await client.next((m) => m.type === 'update' && m.jobId === jobId && m.status === 'cancelled');
    client.send({ action: 'UNSUBSCRIBE', jobId });
    await client.next((m) => m.type === 'unsubscribed' && m.jobId === jobId);
    expect(h.proc.app).toBeDefined();
    client.socket.close();
  });
});

describe('access control', () => {
  let h: Harness;
  const key = 'k'.repeat(32);

  beforeAll(async () => {
    h = await startHarness({
      API_KEYS: key,
      CORS_ORIGINS: 'http://app.example.test',
      RATE_LIMIT_PER_MINUTE: '40',
    });
  });

  afterAll(async () => {
    await h.close();
  });

  it('requires an API key on /api and /ws when keys are configured, and leaves probes open', async () => {
    expect((await h.proc.app.inject({ method: 'GET', url: '/api/jobs' })).statusCode).toBe(401);
    expect(
      (await h.proc.app.inject({ method: 'GET', url: '/api/jobs', headers: { 'x-api-key': 'wrong' } }))
        .statusCode,
    ).toBe(401);
    expect(
      (await h.proc.app.inject({ method: 'GET', url: '/api/jobs', headers: { 'x-api-key': key } }))
        .statusCode,
    ).toBe(200);
    expect(
      (
        await h.proc.app.inject({
          method: 'GET',
          url: '/api/jobs',
          headers: { authorization: `Bearer ${key}` },
        })
      ).statusCode,
    ).toBe(200);
    expect((await h.proc.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    const refused = await h.train({ image: portrait(), prompt: 'x' });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.code).toBe('UNAUTHORIZED');
    const wsUrl = `${h.proc.url.replace('http', 'ws')}/ws`;
    await expect(Client.connect(wsUrl)).rejects.toThrow(/401/);
    const allowed = await Client.connect(`${wsUrl}?apiKey=${key}`, { origin: 'http://app.example.test' });
    allowed.send({ action: 'SUBSCRIBE', jobId: 'nothing' });
    expect((await allowed.next((m) => m.type === 'error')).error).toMatchObject({ code: 'JOB_NOT_FOUND' });
    allowed.socket.close();
    await expect(
      Client.connect(`${wsUrl}?apiKey=${key}`, { origin: 'http://evil.example.test' }),
    ).rejects.toThrow(/403/);
  });

  it('answers CORS preflights for allowed origins only', async () => {
    const ok = await h.proc.app.inject({
      method: 'OPTIONS',
      url: '/api/train',
      headers: { origin: 'http://app.example.test', 'access-control-request-method': 'POST' },
    });
    expect(ok.headers['access-control-allow-origin']).toBe('http://app.example.test');
    const other = await h.proc.app.inject({
      method: 'OPTIONS',
      url: '/api/train',
      headers: { origin: 'http://evil.example.test', 'access-control-request-method': 'POST' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('rate-limits /api per client with 429 RATE_LIMITED', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 45; i++) {
      statuses.push(
        (await h.proc.app.inject({ method: 'GET', url: '/api/jobs', headers: { 'x-api-key': key } }))
          .statusCode,
      );
    }
    expect(statuses).toContain(429);
    const limited = await h.proc.app.inject({
      method: 'GET',
      url: '/api/jobs',
      headers: { 'x-api-key': key },
    });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('RATE_LIMITED');
    expect((await h.proc.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });
});
