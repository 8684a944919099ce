// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay, type ConnectionState, JobSocket, parseServerMessage } from '../lib/job-socket';
import type { JobState } from '../lib/types';
import { FakeSocket } from './support/fake-socket';
import { JOB_ID, runningState } from './support/fixtures';

class FakeNetwork {
  private readonly listeners = new Map<string, Set<() => void>>();
  addEventListener(type: string, listener: () => void) {
    const set = this.listeners.get(type) ?? new Set();
    set.add(listener);
    this.listeners.set(type, set);
  }
  removeEventListener(type: string, listener: () => void) {
    this.listeners.get(type)?.delete(listener);
  }
  emit(type: string) {
    for (const listener of this.listeners.get(type) ?? []) listener();
  }
  count(type: string) {
    return this.listeners.get(type)?.size ?? 0;
  }
}

function client(options: { random?: () => number; heartbeatTimeoutMs?: number; network?: FakeNetwork } = {}) {
  const network = options.network ?? new FakeNetwork();
  const socket = new JobSocket({
    url: 'ws://api.test/ws',
    createSocket: (url) => new FakeSocket(url),
    backoff: { initialMs: 100, maxMs: 1000, factor: 2 },
    heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 5000,
    random: options.random ?? (() => 0.5),
    network,
  });
  const states: ConnectionState[] = [];
  socket.onStateChange((s) => states.push(s));
  return { socket, states, network };
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.reset();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('backoffDelay', () => {
  it('grows exponentially up to the cap, with half of each wait random', () => {
    const options = { initialMs: 500, maxMs: 15_000, factor: 2 };
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, options, () => 0))).toEqual([250, 500, 1000, 2000]);
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, options, () => 1))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffDelay(20, options, () => 0)).toBe(7500);
    expect(backoffDelay(20, options, () => 1)).toBe(15_000);
  });
});

describe('parseServerMessage', () => {
  it('reads updates, acknowledgements, heartbeats and errors, and ignores anything else', () => {
    const state = runningState();
    expect(parseServerMessage(JSON.stringify({ type: 'update', ...state }))).toEqual({
      type: 'update',
      state,
    });
    expect(parseServerMessage('{"type":"subscribed","jobId":"a"}')).toEqual({
      type: 'subscribed',
      jobId: 'a',
    });
    expect(parseServerMessage('{"type":"heartbeat","at":"2026-01-01T00:00:00Z"}')).toEqual({
      type: 'heartbeat',
      at: '2026-01-01T00:00:00Z',
    });
    expect(
      parseServerMessage('{"type":"error","jobId":"a","error":{"code":"JOB_NOT_FOUND","message":"no job"}}'),
    ).toEqual({ type: 'error', jobId: 'a', error: { code: 'JOB_NOT_FOUND', message: 'no job' } });
    expect(parseServerMessage('not json')).toBeNull();
    expect(parseServerMessage('[1,2]')).toBeNull();
    expect(parseServerMessage('{"type":"update","jobId":"a"}')).toBeNull();
    expect(
      parseServerMessage(
        '{"type":"update","jobId":"a","status":"exploded","progress":0,"updatedAt":"x","nodes":[]}',
      ),
    ).toBeNull();
    expect(parseServerMessage('{"type":"mystery"}')).toBeNull();
  });
});

describe('JobSocket', () => {
  it('subscribes once open and forwards job updates', () => {
    const { socket, states } = client();
    const updates: JobState[] = [];
    socket.onUpdate((s) => updates.push(s));
    socket.connect();
    socket.subscribe(JOB_ID);
    const ws = FakeSocket.latest();
    expect(ws.url).toBe('ws://api.test/ws');
    expect(states.at(-1)?.status).toBe('connecting');
    expect(ws.sent).toEqual([]);

    ws.open();
    expect(states.at(-1)).toMatchObject({ status: 'open', attempt: 0 });
    expect(ws.sent).toEqual([{ action: 'SUBSCRIBE', jobId: JOB_ID }]);

    const state = runningState();
    ws.receive({ type: 'subscribed', jobId: JOB_ID });
    ws.receive({ type: 'update', ...state });
    expect(updates).toEqual([state]);

    socket.unsubscribe(JOB_ID);
    expect(ws.sent.at(-1)).toEqual({ action: 'UNSUBSCRIBE', jobId: JOB_ID });
    expect(socket.subscribed.size).toBe(0);
  });

  it('reconnects with growing, jittered waits and restores every subscription', () => {
    const random = vi.fn(() => 0.5);
    const { socket, states } = client({ random });
    socket.connect();
    socket.subscribe('job-a');
    socket.subscribe('job-b');
    FakeSocket.latest().open();

    FakeSocket.latest().drop();
    expect(states.at(-1)).toMatchObject({ status: 'reconnecting', attempt: 1 });
    // attempt 1: ceiling 100 ms, half fixed + half * 0.5 random = 75 ms
    expect(states.at(-1)?.retryAt).toBe(Date.now() + 75);
    vi.advanceTimersByTime(74);
    expect(FakeSocket.created).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.created).toHaveLength(2);

    // The server refuses again: attempt 2 waits longer (ceiling 200 ms -> 150 ms).
    FakeSocket.latest().drop();
    expect(states.at(-1)).toMatchObject({ status: 'reconnecting', attempt: 2 });
    expect(states.at(-1)?.retryAt).toBe(Date.now() + 150);
    vi.advanceTimersByTime(150);
    expect(FakeSocket.created).toHaveLength(3);

    const ws = FakeSocket.latest();
    ws.open();
    expect(states.at(-1)).toMatchObject({ status: 'open', attempt: 0, retryAt: null });
    expect(ws.sent).toEqual([
      { action: 'SUBSCRIBE', jobId: 'job-a' },
      { action: 'SUBSCRIBE', jobId: 'job-b' },
    ]);
    expect(random).toHaveBeenCalledTimes(2);
  });

  it('treats a silent connection as dead and reconnects; heartbeats keep it alive', () => {
    const { socket, states } = client({ heartbeatTimeoutMs: 5000 });
    socket.connect();
    const ws = FakeSocket.latest();
    ws.open();
    vi.advanceTimersByTime(4000);
    ws.receive({ type: 'heartbeat', at: new Date().toISOString() });
    vi.advanceTimersByTime(4000);
    expect(states.at(-1)?.status).toBe('open');
    expect(ws.closedWith).toBeNull();

    vi.advanceTimersByTime(1001);
    expect(ws.closedWith).toEqual({ code: 4000, reason: 'no heartbeat' });
    expect(states.at(-1)).toMatchObject({ status: 'reconnecting', attempt: 1 });
    vi.advanceTimersByTime(100);
    expect(FakeSocket.created).toHaveLength(2);
  });

  it('reports job errors and ignores frames it does not understand', () => {
    const { socket } = client();
    const errors: unknown[] = [];
    const updates: unknown[] = [];
    socket.onJobError((e) => errors.push(e));
    socket.onUpdate((u) => updates.push(u));
    socket.connect();
    const ws = FakeSocket.latest();
    ws.open();
    ws.receive({
      type: 'error',
      jobId: 'gone',
      error: { code: 'JOB_NOT_FOUND', message: 'no job with id gone' },
    });
    ws.onmessage?.(new MessageEvent('message', { data: '{broken' }));
    expect(errors).toEqual([{ jobId: 'gone', code: 'JOB_NOT_FOUND', message: 'no job with id gone' }]);
    expect(updates).toEqual([]);
  });

  it('tries again at once when asked or when the network comes back', () => {
    const { socket, states, network } = client();
    socket.connect();
    FakeSocket.latest().open();
    FakeSocket.latest().drop();
    expect(FakeSocket.created).toHaveLength(1);
    socket.reconnectNow();
    expect(FakeSocket.created).toHaveLength(2);
    // An attempt is under way: asking again does not start another.
    socket.reconnectNow();
    expect(FakeSocket.created).toHaveLength(2);
    FakeSocket.latest().drop();
    network.emit('online');
    expect(FakeSocket.created).toHaveLength(3);
    FakeSocket.latest().open();
    expect(states.at(-1)?.status).toBe('open');
  });

  it('stops for good when closed', () => {
    const { socket, states, network } = client();
    socket.connect();
    const ws = FakeSocket.latest();
    ws.open();
    expect(network.count('online')).toBe(1);
    socket.close();
    expect(ws.closedWith).toEqual({ code: 1000, reason: 'client closed' });
    expect(states.at(-1)?.status).toBe('closed');
    expect(network.count('online')).toBe(0);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.created).toHaveLength(1);
    socket.connect();
    expect(FakeSocket.created).toHaveLength(1);
  });
});
