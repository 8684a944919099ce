// @vitest-environment jsdom
/**
 * The page against servers with their own limits and with API keys: the form follows GET /api/limits,
 * the page asks for a key when the server needs one, and media and download URLs carry the job's artifact
 * token (refreshed before it expires), never the key.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../components/App';
import { ApiClient } from '../lib/api';
import type { ApiLimits, JobDetail } from '../lib/types';
import { FakeSocket } from './support/fake-socket';
import { COMPLETED_ARTIFACTS, completedState, detailOf, JOB_ID, PIPELINES } from './support/fixtures';

const TESTDATA = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'testdata');
const KEY = 'the-right-key-0123456789';

const LIMITS: ApiLimits = {
  image: { maxBytes: 20 * 1024, types: ['image/png', 'image/webp'], minSide: 64, maxSide: 8192 },
  voice: { maxBytes: 1024 * 1024, types: ['audio/wav'], minSeconds: 2, maxSeconds: 30 },
  promptChars: 40,
  voiceTextChars: 100,
  apiKeyRequired: false,
};

/** A server with these limits; with `key`, every route but /api/limits needs it in x-api-key. */
function fakeServer(options: { limits?: ApiLimits; key?: string; tokenSeconds?: number } = {}) {
  const calls: { method: string; path: string; key: string | null }[] = [];
  let issued = 0;
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });
  const job: JobDetail = detailOf(completedState(), COMPLETED_ARTIFACTS);
  const api = new ApiClient({
    fetch: async (url, init) => {
      const method = init?.method ?? 'GET';
      const path = new URL(url, 'http://localhost:3000').pathname;
      const key = new Headers(init?.headers).get('x-api-key');
      calls.push({ method, path, key });
      if (path === '/api/limits') {
        if (!options.limits) return json({ error: { code: 'ROUTE_NOT_FOUND', message: 'no route' } }, 404);
        return json({ ...options.limits, apiKeyRequired: options.key !== undefined });
      }
      if (options.key !== undefined && key !== options.key)
        return json({ error: { code: 'UNAUTHORIZED', message: 'a valid API key is required' } }, 401);
      if (path === '/api/pipelines') return json(PIPELINES);
      if (path === '/api/capabilities')
        return json({ planes: { node: null, python: null }, services: [], unavailable: [], generatedAt: '' });
      if (path === '/api/jobs') return json({ items: [], nextCursor: null, total: 0 });
      if (path === `/api/jobs/${JOB_ID}/artifact-token` && method === 'POST') {
        issued += 1;
        const expiresIn = options.tokenSeconds ?? 3600;
        return json({
          jobId: JOB_ID,
          token: `${1_900_000_000 + issued}.token-${issued}`,
          expiresAt: new Date(Date.now() + expiresIn * 1000).toISOString(),
          expiresIn,
        });
      }
      if (path === `/api/jobs/${JOB_ID}`) return json(job);
      if (path.endsWith('narration.txt')) return new Response('Hello, I am Carl. Dreams matter.');
      return json({ error: { code: 'JOB_NOT_FOUND', message: `no job for ${path}` } }, 404);
    },
  });
  return { api, calls, issued: () => issued };
}

const file = (name: string, type: string) =>
  new File([new Uint8Array(readFileSync(join(TESTDATA, name)))], name, { type });

beforeEach(() => {
  FakeSocket.reset();
  vi.stubGlobal('WebSocket', FakeSocket);
  URL.createObjectURL = vi.fn(() => 'blob:preview');
  URL.revokeObjectURL = vi.fn();
  window.history.replaceState(null, '', '/');
  window.localStorage.clear();
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('limits from the API', () => {
  it('checks the form against the server’s limits, not the built-in ones', async () => {
    const server = fakeServer({ limits: LIMITS });
    // The picker offers PNG and WebP; the user picks a JPEG anyway ("all files").
    const user = userEvent.setup({ applyAccept: false });
    render(<App api={server.api} />);
    // The counter and the hints follow the server once it answers.
    expect(await screen.findByText('0 / 40 characters')).toBeTruthy();
    expect(screen.getByText(/PNG or WebP with one face, up to 20 KiB, 64–/)).toBeTruthy();
    expect(screen.getByLabelText('Portrait photo').getAttribute('accept')).toBe('image/png,image/webp');
    expect(screen.getByText(/A WAV recording of the voice to imitate, 2–30 s, up to 1 MiB/)).toBeTruthy();

    await user.type(screen.getByLabelText('Prompt'), 'This prompt is longer than forty characters.');
    expect(screen.getByText('44 / 40 characters').className).toContain('counter--over');
    // The test portrait is a 50 kB JPEG: too large here, and not an accepted kind either.
    await user.upload(screen.getByLabelText('Portrait photo'), file('carl_jung.jpg', 'image/jpeg'));
    expect(await screen.findByText('The image is 48.4 KiB; the limit is 20 KiB.')).toBeTruthy();
    expect(server.calls.some((c) => c.path === '/api/limits')).toBe(true);
  });

  it('keeps the built-in limits when the server does not answer them', async () => {
    const server = fakeServer();
    render(<App api={server.api} />);
    expect(await screen.findByText('0 / 4000 characters')).toBeTruthy();
    expect(screen.getByText(/JPEG, PNG or WebP with one face, up to 15 MiB, 64–/)).toBeTruthy();
  });
});

describe('API keys', () => {
  it('asks for the key, sends it in headers and on /ws only, and puts tokens on media URLs', async () => {
    const server = fakeServer({ limits: LIMITS, key: KEY });
    window.history.replaceState(null, '', `/?job=${JOB_ID}`);
    const user = userEvent.setup();
    render(<App api={server.api} />);

    // The server says it needs a key: the page asks before anything else.
    const input = await screen.findByLabelText('API key');
    expect(screen.queryByLabelText('Prompt')).toBeNull();
    await user.type(input, KEY);
    await user.click(screen.getByRole('button', { name: 'Use this key' }));
    expect(window.localStorage.getItem('myspinbot.apiKey')).toBe(KEY);

    const card = await screen.findByRole('article', { name: 'Hello, I am Carl. Dreams matter.' });
    const download = await within(card).findByRole('link', { name: 'Download MP4' });
    const token = '1900000001.token-1';
    expect(download.getAttribute('href')).toBe(
      `/api/jobs/${JOB_ID}/artifacts/render/video.mp4?token=${token}`,
    );
    expect(card.querySelector('video source')?.getAttribute('src')).toBe(download.getAttribute('href'));
    expect(card.querySelector('video track')?.getAttribute('src')).toBe(
      `/api/jobs/${JOB_ID}/artifacts/render/captions.vtt?token=${token}`,
    );
    expect(card.querySelector('video')?.getAttribute('poster')).toContain(`thumbnail.jpg?token=${token}`);
    expect(card.querySelector('audio')?.getAttribute('src')).toContain(`speech.wav?token=${token}`);
    for (const link of card.querySelectorAll('.artifacts a'))
      expect(link.getAttribute('href')).toMatch(/\?token=1900000001\.token-1$/);
    // The narration is fetched with the key in a header.
    await within(card).findByText('Hello, I am Carl. Dreams matter.', { selector: 'blockquote' });

    // The key: in headers, on /ws, and in no HTTP URL of the page.
    const authed = server.calls.filter((c) => c.path !== '/api/limits');
    expect(authed.length).toBeGreaterThan(3);
    expect(authed.filter((c) => c.key === KEY).length).toBeGreaterThan(3);
    expect(FakeSocket.latest().url).toBe(`ws://localhost:3000/ws?apiKey=${KEY}`);
    const urls = [...document.querySelectorAll('[href], [src], [poster]')].flatMap((e) =>
      ['href', 'src', 'poster'].map((a) => e.getAttribute(a) ?? ''),
    );
    expect(urls.filter((u) => u.includes(KEY))).toEqual([]);
  });

  it('asks for a new token before the old one expires', async () => {
    window.localStorage.setItem('myspinbot.apiKey', KEY);
    const server = fakeServer({ limits: LIMITS, key: KEY, tokenSeconds: 1 });
    window.history.replaceState(null, '', `/?job=${JOB_ID}`);
    render(<App api={server.api} />);
    const card = await screen.findByRole('article', { name: 'Hello, I am Carl. Dreams matter.' });
    const download = await within(card).findByRole('link', { name: 'Download MP4' });
    expect(download.getAttribute('href')).toContain('?token=1900000001.token-1');
    // At 80% of a one-second lifetime.
    await waitFor(() => expect(download.getAttribute('href')).toContain('?token=1900000002.token-2'), {
      timeout: 2000,
    });
    expect(card.querySelector('video track')?.getAttribute('src')).toContain('token-2');
  });

  it('asks again when the server refuses the stored key', async () => {
    window.localStorage.setItem('myspinbot.apiKey', 'an-old-key-that-was-revoked');
    const server = fakeServer({ limits: LIMITS, key: KEY });
    const user = userEvent.setup();
    render(<App api={server.api} />);
    expect((await screen.findByRole('alert')).textContent).toBe(
      'The server refused the API key. Enter a valid one.',
    );
    await user.type(screen.getByLabelText('API key'), KEY);
    await user.click(screen.getByRole('button', { name: 'Use this key' }));
    expect(await screen.findByLabelText('Prompt')).toBeTruthy();
    await waitFor(() => expect(FakeSocket.latest().url).toContain(`apiKey=${KEY}`));
    // And it can be forgotten.
    await user.click(screen.getByRole('button', { name: 'Forget the API key' }));
    expect(window.localStorage.getItem('myspinbot.apiKey')).toBeNull();
    expect(await screen.findByLabelText('API key')).toBeTruthy();
  });

  it('does not send a stored key to a server that needs none, nor ask for tokens', async () => {
    window.localStorage.setItem('myspinbot.apiKey', KEY);
    const server = fakeServer({ limits: LIMITS });
    window.history.replaceState(null, '', `/?job=${JOB_ID}`);
    render(<App api={server.api} />);
    const card = await screen.findByRole('article', { name: 'Hello, I am Carl. Dreams matter.' });
    const download = await within(card).findByRole('link', { name: 'Download MP4' });
    expect(download.getAttribute('href')).toBe(`/api/jobs/${JOB_ID}/artifacts/render/video.mp4`);
    expect(server.issued()).toBe(0);
    await waitFor(() => expect(FakeSocket.latest().url).toBe('ws://localhost:3000/ws'));
  });
});
