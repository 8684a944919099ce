// @vitest-environment jsdom
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../components/App';
import { ApiClient } from '../lib/api';
import type { JobDetail, JobState, JobSummary } from '../lib/types';
import { FakeSocket } from './support/fake-socket';
import {
  COMPLETED_ARTIFACTS,
  completedState,
  detailOf,
  JOB_ID,
  PIPELINES,
  runningState,
} from './support/fixtures';

const TESTDATA = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'testdata');

/** An in-memory API: the routes the page calls, with one job whose state the test moves along. */
function fakeServer() {
  let job: JobDetail | null = null;
  const history: JobSummary[] = [];
  const calls: string[] = [];
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });
  const api = new ApiClient({
    fetch: async (url, init) => {
      const method = init?.method ?? 'GET';
      calls.push(`${method} ${url}`);
      const path = new URL(url, 'http://localhost:3000').pathname;
      if (path === '/api/pipelines') return json(PIPELINES);
      if (path === '/api/capabilities')
        return json({ planes: { node: null, python: null }, services: [], unavailable: [], generatedAt: '' });
      if (path === '/api/train' && method === 'POST') {
        job = detailOf(runningState({ status: 'queued', progress: 0, nodes: [], queuePosition: 0 }));
        history.unshift({
          jobId: JOB_ID,
          pipeline: 'talking-portrait',
          status: 'queued',
          progress: 0,
          createdAt: job.createdAt ?? '',
          updatedAt: job.updatedAt,
          finishedAt: null,
          prompt: 'Hello, I am Carl. Dreams matter.',
          error: null,
        });
        return json({ jobId: JOB_ID, status: 'queued', pipeline: 'talking-portrait' }, 202);
      }
      if (path === '/api/jobs') {
        const status = new URL(url, 'http://localhost:3000').searchParams.get('status');
        const items = status ? history.filter((h) => status.split(',').includes(h.status)) : history;
        return json({ items, nextCursor: null, total: items.length });
      }
      if (path === `/api/jobs/${JOB_ID}/cancel` && job) {
        job = { ...job, updatedAt: new Date().toISOString() };
        return json(job, 202);
      }
      if (path === `/api/jobs/${JOB_ID}/retry` && job) {
        job = { ...job, status: 'queued', updatedAt: new Date(Date.now() + 1000).toISOString() };
        return json(job, 202);
      }
      if (path === `/api/jobs/${JOB_ID}` && job) return json(job);
      if (path.endsWith('narration.txt')) return new Response('Hello, I am Carl. Dreams matter.');
      return json({ error: { code: 'JOB_NOT_FOUND', message: `no job for ${path}` } }, 404);
    },
  });
  return {
    api,
    calls,
    history,
    setJob(detail: JobDetail) {
      job = detail;
    },
  };
}

function push(state: JobState) {
  FakeSocket.latest().receive({ type: 'update', ...state });
}

beforeEach(() => {
  FakeSocket.reset();
  vi.stubGlobal('WebSocket', FakeSocket);
  URL.createObjectURL = vi.fn(() => 'blob:preview');
  URL.revokeObjectURL = vi.fn();
  window.history.replaceState(null, '', '/');
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('App', () => {
  it('submits a job, follows it live to the video, and restores its subscription after a reconnection', async () => {
    const server = fakeServer();
    const user = userEvent.setup();
    render(<App api={server.api} />);
    const socket = FakeSocket.latest();
    expect(socket.url).toBe('ws://localhost:3000/ws');
    expect(screen.getByRole('status', { name: '' }).textContent).toBe('Connecting…');
    socket.open();
    await screen.findByText('Live updates');

    await user.upload(
      screen.getByLabelText('Portrait photo'),
      new File([new Uint8Array(readFileSync(join(TESTDATA, 'carl_jung.jpg')))], 'carl_jung.jpg', {
        type: 'image/jpeg',
      }),
    );
    await screen.findByText('JPEG, 512 × 512 px');
    await user.type(screen.getByLabelText('Prompt'), 'Hello, I am Carl. Dreams matter.');
    await user.click(screen.getByRole('button', { name: 'Create the video' }));

    const card = await screen.findByRole('article', { name: 'Hello, I am Carl. Dreams matter.' });
    await waitFor(() => expect(document.activeElement?.classList.contains('job-card__title')).toBe(true));
    expect(window.location.search).toBe(`?job=${JOB_ID}`);
    expect(socket.sent).toContainEqual({ action: 'SUBSCRIBE', jobId: JOB_ID });
    expect(within(card).getByText('Waiting in the queue (position 1)')).toBeTruthy();

    push(runningState());
    await within(card).findByText('Render the talking portrait', { selector: '.job-card__step' });

    // The connection drops: the badge says so, and the subscription comes back with the new connection.
    socket.drop();
    expect((await screen.findByText(/Reconnecting…/)).textContent).toBe('Reconnecting… (attempt 1)');
    await waitFor(() => expect(FakeSocket.created).toHaveLength(2), { timeout: 3000 });
    const again = FakeSocket.latest();
    again.open();
    await screen.findByText('Live updates');
    expect(again.sent).toEqual([{ action: 'SUBSCRIBE', jobId: JOB_ID }]);

    // The job finishes: the card fetches its artifacts and shows the video; the history refreshes.
    const historyLoads = server.calls.filter((c) => c.startsWith('GET /api/jobs?limit=10')).length;
    server.setJob(detailOf(completedState(), COMPLETED_ARTIFACTS));
    push(completedState());
    expect(await within(card).findByRole('link', { name: 'Download MP4' })).toBeTruthy();
    expect(card.getAttribute('data-status')).toBe('completed');
    expect(card.querySelector('video track')?.getAttribute('src')).toBe(
      `/api/jobs/${JOB_ID}/artifacts/render/captions.vtt`,
    );
    await waitFor(() =>
      expect(server.calls.filter((c) => c.startsWith('GET /api/jobs?limit=10')).length).toBeGreaterThan(
        historyLoads,
      ),
    );
  });

  it('reopens the job named in the address and the jobs still running, after a reload', async () => {
    const server = fakeServer();
    server.setJob(detailOf(completedState(), COMPLETED_ARTIFACTS));
    server.history.push({
      jobId: 'other-running-job',
      pipeline: 'talking-portrait',
      status: 'running',
      progress: 0.2,
      createdAt: '',
      updatedAt: '',
      finishedAt: null,
      error: null,
    });
    window.history.replaceState(null, '', `/?job=${JOB_ID}`);
    render(<App api={server.api} />);
    const card = await screen.findByRole('article', { name: 'Hello, I am Carl. Dreams matter.' });
    expect(await within(card).findByRole('link', { name: 'Download MP4' })).toBeTruthy();
    const cards = screen.getAllByRole('article');
    expect(cards.map((c) => c.getAttribute('data-job-id'))).toEqual([JOB_ID, 'other-running-job']);
    expect(server.calls).toContain('GET /api/jobs?limit=10&status=queued%2Crunning');
    FakeSocket.latest().open();
    expect(FakeSocket.latest().sent).toEqual([
      { action: 'SUBSCRIBE', jobId: 'other-running-job' },
      { action: 'SUBSCRIBE', jobId: JOB_ID },
    ]);

    await userEvent.click(within(card).getByRole('button', { name: 'Close this card' }));
    expect(window.location.search).toBe('');
    expect(FakeSocket.latest().sent.at(-1)).toEqual({ action: 'UNSUBSCRIBE', jobId: JOB_ID });
  });

  it('cancels a running job and retries it', async () => {
    const server = fakeServer();
    server.setJob(detailOf(runningState()));
    window.history.replaceState(null, '', `/?job=${JOB_ID}`);
    const user = userEvent.setup();
    render(<App api={server.api} />);
    FakeSocket.latest().open();
    const card = await screen.findByRole('article', { name: 'Hello, I am Carl. Dreams matter.' });
    await user.click(await within(card).findByRole('button', { name: 'Cancel' }));
    expect(server.calls).toContain(`POST /api/jobs/${JOB_ID}/cancel`);
    await within(card).findByText('Cancelling…', { selector: '.job-card__step' });

    push({ ...runningState(), status: 'cancelled', updatedAt: new Date().toISOString() });
    await user.click(await within(card).findByRole('button', { name: 'Retry' }));
    expect(server.calls).toContain(`POST /api/jobs/${JOB_ID}/retry`);
    await waitFor(() => expect(card.getAttribute('data-status')).toBe('queued'));
    // A fresh snapshot is asked for: the job runs again under the same id.
    expect(FakeSocket.latest().sent.filter((m) => JSON.stringify(m).includes('SUBSCRIBE'))).toHaveLength(2);
  });
});
