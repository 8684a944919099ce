// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, type Mock, vi } from 'vitest';
import { JobCard, type JobCardActions } from '../components/JobCard';
import { ApiClient } from '../lib/api';
import type { JobView } from '../lib/useJobBoard';
import {
  at,
  COMPLETED_ARTIFACTS,
  completedState,
  failedState,
  JOB_ID,
  runningState,
} from './support/fixtures';

function view(patch: Partial<JobView>): JobView {
  return {
    jobId: JOB_ID,
    state: runningState(),
    input: { prompt: 'Hello, I am Carl. Dreams matter.', options: { language: 'de' } },
    artifacts: [],
    problem: null,
    action: null,
    actionError: null,
    cancelling: false,
    ...patch,
  };
}

type Handler = Mock<(jobId: string) => void>;

function actions(): JobCardActions & Record<keyof JobCardActions, Handler> {
  return { onCancel: vi.fn(), onRetry: vi.fn(), onDelete: vi.fn(), onClose: vi.fn() };
}

const api = new ApiClient({
  pageUrl: 'http://ui.test/',
  fetch: async (url) =>
    url.endsWith('narration.txt') ? new Response('Hello, I am Carl. Dreams matter.') : new Response('{}'),
});

beforeEach(() => {
  // The fixtures' clock: 11 s after the job was created.
  vi.useFakeTimers({ now: Date.parse(at(11)), toFake: ['Date'] });
});

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('JobCard', () => {
  it('shows overall and per-step progress, the current step, the elapsed time and an estimate', async () => {
    const handlers = actions();
    render(<JobCard view={view({})} api={api} actions={handlers} />);
    const card = screen.getByRole('article', { name: 'Hello, I am Carl. Dreams matter.' });
    expect(card.getAttribute('data-status')).toBe('running');
    expect(within(card).getByText('Running')).toBeTruthy();
    expect(screen.getByRole('progressbar', { name: 'Overall progress' }).getAttribute('aria-valuenow')).toBe(
      '50',
    );
    expect(
      screen
        .getByRole('progressbar', { name: 'Render the talking portrait: progress' })
        .getAttribute('aria-valuenow'),
    ).toBe('40');
    expect(card.querySelector('.job-card__step')?.textContent).toBe('Render the talking portrait');
    expect(card.querySelector('[aria-live="polite"]')?.textContent).toBe(
      'Render the talking portrait, 50% done',
    );
    expect(card.querySelector('.job-card__timings')?.textContent).toBe('Elapsed11 sTime leftabout 10 s');

    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(handlers.onCancel).toHaveBeenCalledWith(JOB_ID);
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Delete' })).toBeNull();
  });

  it('shows a queued job with its place in the queue and a cancel that is in progress', () => {
    render(
      <JobCard
        view={view({
          state: runningState({ status: 'queued', nodes: [], progress: 0, queuePosition: 0 }),
          cancelling: true,
        })}
        api={api}
        actions={actions()}
      />,
    );
    expect(screen.getByText('Cancelling…', { selector: '.job-card__step' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Cancelling…' }).hasAttribute('disabled')).toBe(true);
    expect(screen.getByText('The steps appear when the job starts.')).toBeTruthy();
  });

  it('shows why a failed job failed, and offers retry and delete', async () => {
    const handlers = actions();
    render(<JobCard view={view({ state: failedState() })} api={api} actions={handlers} />);
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('Failed at “Render the talking portrait” render');
    expect(alert.textContent).toContain('NO_FACE_FOUND');
    expect(document.querySelector('.job-card__timings')?.textContent).toBe('Took12 s');
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(handlers.onRetry).toHaveBeenCalledWith(JOB_ID);
  });

  it('asks before deleting, keeps the focus in the question, and can step back', async () => {
    const handlers = actions();
    render(<JobCard view={view({ state: failedState() })} api={api} actions={handlers} />);
    await userEvent.click(screen.getByRole('button', { name: 'Delete' }));
    const question = screen.getByRole('group', { name: 'Delete this job and its files?' });
    expect(document.activeElement).toBe(within(question).getByRole('button', { name: 'Keep' }));
    await userEvent.keyboard('{Enter}');
    expect(screen.queryByRole('group', { name: 'Delete this job and its files?' })).toBeNull();
    expect(document.activeElement?.textContent).toBe('Delete');
    await userEvent.click(screen.getByRole('button', { name: 'Delete' }));
    await userEvent.click(screen.getByRole('button', { name: 'Delete for good' }));
    expect(handlers.onDelete).toHaveBeenCalledWith(JOB_ID);
  });

  it('plays the finished video with its captions track, offers the download and the intermediate results', async () => {
    render(
      <JobCard
        view={view({ state: completedState(), artifacts: COMPLETED_ARTIFACTS })}
        api={api}
        actions={actions()}
      />,
    );
    const video = screen.getByLabelText('Video: Hello, I am Carl. Dreams matter.');
    expect(video.tagName).toBe('VIDEO');
    expect(video.getAttribute('poster')).toBe(`/api/jobs/${JOB_ID}/artifacts/render/thumbnail.jpg`);
    expect(video.hasAttribute('crossorigin')).toBe(false);
    expect(video.querySelector('source')?.getAttribute('src')).toBe(
      `/api/jobs/${JOB_ID}/artifacts/render/video.mp4`,
    );
    const track = video.querySelector('track');
    expect(track?.getAttribute('kind')).toBe('captions');
    expect(track?.getAttribute('src')).toBe(`/api/jobs/${JOB_ID}/artifacts/render/captions.vtt`);
    expect(track?.getAttribute('srclang')).toBe('de');
    // The captions are burned into the picture (the default): the track is offered, not shown over them.
    expect(track?.hasAttribute('default')).toBe(false);

    const download = screen.getByRole('link', { name: 'Download MP4' });
    expect(download.getAttribute('href')).toBe(`/api/jobs/${JOB_ID}/artifacts/render/video.mp4`);
    expect(download.getAttribute('download')).toBe(`myspinbot-${JOB_ID.slice(0, 8)}.mp4`);

    expect(
      await screen.findByText('Hello, I am Carl. Dreams matter.', { selector: 'blockquote' }),
    ).toBeTruthy();
    const speech = document.querySelector('audio');
    expect(speech?.getAttribute('src')).toBe(`/api/jobs/${JOB_ID}/artifacts/speech/speech.wav`);

    await userEvent.click(screen.getByText('All files (7)'));
    const files = screen.getAllByRole('listitem').filter((li) => li.classList.contains('artifact'));
    expect(files.map((li) => li.querySelector('a')?.textContent)).toEqual(
      COMPLETED_ARTIFACTS.map((a) => a.name),
    );
    expect(files[0]?.textContent).toContain('Upload · Image · 48 KiB');
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull();
  });

  it('shows the captions track at once when the captions are not burned into the picture', () => {
    render(
      <JobCard
        view={view({
          state: completedState(),
          artifacts: COMPLETED_ARTIFACTS,
          input: { prompt: 'Hi', options: { captions: false } },
        })}
        api={api}
        actions={actions()}
      />,
    );
    const track = document.querySelector('video track');
    expect(track?.hasAttribute('default')).toBe(true);
    expect(track?.getAttribute('srclang')).toBe('en');
  });

  it('shows why a job could not be loaded, and closes', async () => {
    const handlers = actions();
    render(
      <JobCard
        view={view({
          state: null,
          input: null,
          problem: { code: 'JOB_NOT_FOUND', message: 'no job with id x' },
        })}
        api={api}
        actions={handlers}
      />,
    );
    expect(screen.getByRole('alert').textContent).toBe('JOB_NOT_FOUND no job with id x');
    await userEvent.click(screen.getByRole('button', { name: 'Close this card' }));
    expect(handlers.onClose).toHaveBeenCalledWith(JOB_ID);
  });
});
