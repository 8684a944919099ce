// @vitest-environment jsdom
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { JobHistory } from '../components/JobHistory';
import { ApiClient } from '../lib/api';
import type { JobSummary } from '../lib/types';
import { at } from './support/fixtures';

function summary(i: number, patch: Partial<JobSummary> = {}): JobSummary {
  return {
    jobId: `job-${i}`,
    pipeline: 'talking-portrait',
    status: 'completed',
    progress: 1,
    createdAt: at(-i * 60),
    updatedAt: at(-i * 60 + 10),
    finishedAt: at(-i * 60 + 10),
    prompt: `Prompt number ${i}`,
    error: null,
    ...patch,
  };
}

/** A fake GET /api/jobs over 25 jobs, 10 a page, with an opaque cursor and a status filter. */
function historyApi() {
  const all = Array.from({ length: 25 }, (_, i) =>
    summary(
      i,
      i === 3
        ? {
            status: 'failed',
            error: { nodeId: 'render', code: 'NO_FACE_FOUND', message: 'x', retryable: false },
          }
        : {},
    ),
  );
  const urls: string[] = [];
  const api = new ApiClient({
    fetch: async (url) => {
      urls.push(url);
      const query = new URL(url, 'http://api.test').searchParams;
      const status = query.get('status');
      const items = status ? all.filter((j) => status.split(',').includes(j.status)) : all;
      const start = Number(query.get('cursor') ?? 0);
      const limit = Number(query.get('limit') ?? 20);
      const page = items.slice(start, start + limit);
      const next = start + limit < items.length ? String(start + limit) : null;
      return new Response(JSON.stringify({ items: page, nextCursor: next, total: items.length }));
    },
  });
  return { api, urls };
}

afterEach(cleanup);

describe('JobHistory', () => {
  it('loads the newest page, then the next ones with the cursor, keeping the focus in the list', async () => {
    const { api, urls } = historyApi();
    const onOpen = vi.fn();
    const user = userEvent.setup();
    render(<JobHistory api={api} version={0} onOpen={onOpen} />);
    expect(await screen.findByText('Showing 10 of 25')).toBeTruthy();
    expect(urls).toEqual(['/api/jobs?limit=10']);
    expect(screen.getByText('Prompt number 0')).toBeTruthy();
    expect(screen.getByText(/NO_FACE_FOUND/)).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByText('Showing 20 of 25')).toBeTruthy();
    expect(urls.at(-1)).toBe('/api/jobs?limit=10&cursor=10');
    await waitFor(() => expect(document.activeElement?.getAttribute('data-job-id')).toBe('job-10'));

    await user.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByText('Showing 25 of 25')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();

    await user.click(screen.getByText('Prompt number 24'));
    expect(onOpen).toHaveBeenCalledWith('job-24');
  });

  it('filters by status and reloads when its version changes', async () => {
    const { api, urls } = historyApi();
    const user = userEvent.setup();
    const { rerender } = render(<JobHistory api={api} version={0} onOpen={() => {}} />);
    await screen.findByText('Showing 10 of 25');
    await user.selectOptions(screen.getByLabelText('Show'), 'failed');
    expect(await screen.findByText('Showing 1 of 1')).toBeTruthy();
    expect(urls.at(-1)).toBe('/api/jobs?limit=10&status=failed');
    rerender(<JobHistory api={api} version={1} onOpen={() => {}} />);
    await waitFor(() => expect(urls).toHaveLength(3));
    await user.click(screen.getByRole('button', { name: 'Refresh' }));
    await waitFor(() => expect(urls).toHaveLength(4));
  });

  it('says when there are no jobs, and shows errors with their code', async () => {
    const empty = new ApiClient({
      fetch: async () => new Response(JSON.stringify({ items: [], nextCursor: null, total: 0 })),
    });
    render(<JobHistory api={empty} version={0} onOpen={() => {}} />);
    expect(await screen.findByText('No jobs yet.')).toBeTruthy();
    cleanup();
    const broken = new ApiClient({
      fetch: async () =>
        new Response(JSON.stringify({ error: { code: 'SCHEMA_INVALID', message: 'cursor is malformed' } }), {
          status: 400,
        }),
    });
    render(<JobHistory api={broken} version={0} onOpen={() => {}} />);
    expect((await screen.findByRole('alert')).textContent).toBe('SCHEMA_INVALID cursor is malformed');
  });
});
