'use client';
/**
 * The jobs shown as cards: their live state (WebSocket updates), what they were asked for and produced
 * (GET /api/jobs/:id, fetched again when a job ends), and the cancel / retry / delete actions. While the
 * WebSocket is down, or while a job waits in the queue (its place is only in HTTP answers), the board polls.
 */
import { useCallback, useEffect, useReducer, useRef } from 'react';
import { type ApiClient, describeError } from './api';
import type { JobSocket } from './job-socket';
import { isTerminal } from './job-view';
import type { ArtifactLink, JobDetail, JobState } from './types';

export type JobAction = 'cancel' | 'retry' | 'delete';

export interface Problem {
  code: string;
  message: string;
}

export interface JobView {
  jobId: string;
  state: JobState | null;
  input: Record<string, unknown> | null;
  artifacts: ArtifactLink[];
  /** Why the job could not be loaded (for example, it was deleted). */
  problem: Problem | null;
  action: JobAction | null;
  actionError: Problem | null;
  /** A cancel was accepted and the job has not stopped yet. */
  cancelling: boolean;
}

type BoardAction =
  | { type: 'open'; jobId: string }
  | { type: 'close'; jobId: string }
  | { type: 'detail'; detail: JobDetail }
  | { type: 'update'; state: JobState }
  | { type: 'problem'; jobId: string; problem: Problem }
  | { type: 'action'; jobId: string; action: JobAction }
  | { type: 'action-failed'; jobId: string; error: Problem }
  | { type: 'action-done'; jobId: string; detail: JobDetail | null };

const time = (iso: string) => {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : t;
};

function stateOf(detail: JobDetail): JobState {
  const { input: _input, artifacts: _artifacts, ...state } = detail;
  return state;
}

/** A WebSocket update is always the newest snapshot; an HTTP answer only when it is not older. */
function mergeState(current: JobState | null, next: JobState, fromSocket: boolean): JobState {
  if (!current) return next;
  if (!fromSocket && time(next.updatedAt) < time(current.updatedAt)) {
    return next.queuePosition !== undefined && current.status === 'queued'
      ? { ...current, queuePosition: next.queuePosition }
      : current;
  }
  if (next.status === 'queued' && next.queuePosition === undefined && current.queuePosition !== undefined)
    return { ...next, queuePosition: current.queuePosition };
  return next;
}

function withDetail(view: JobView, detail: JobDetail): JobView {
  const state = mergeState(view.state, stateOf(detail), false);
  return {
    ...view,
    state,
    input: detail.input,
    artifacts: detail.artifacts,
    problem: null,
    cancelling: view.cancelling && !isTerminal(state.status),
  };
}

function reducer(views: JobView[], action: BoardAction): JobView[] {
  const patch = (jobId: string, change: (view: JobView) => JobView) =>
    views.map((view) => (view.jobId === jobId ? change(view) : view));
  switch (action.type) {
    case 'open':
      if (views.some((v) => v.jobId === action.jobId)) return views;
      return [
        {
          jobId: action.jobId,
          state: null,
          input: null,
          artifacts: [],
          problem: null,
          action: null,
          actionError: null,
          cancelling: false,
        },
        ...views,
      ];
    case 'close':
      return views.filter((v) => v.jobId !== action.jobId);
    case 'detail':
      return patch(action.detail.jobId, (view) => withDetail(view, action.detail));
    case 'update':
      return patch(action.state.jobId, (view) => {
        const state = mergeState(view.state, action.state, true);
        return { ...view, state, cancelling: view.cancelling && !isTerminal(state.status) };
      });
    case 'problem':
      return patch(action.jobId, (view) => ({ ...view, problem: action.problem }));
    case 'action':
      return patch(action.jobId, (view) => ({ ...view, action: action.action, actionError: null }));
    case 'action-failed':
      return patch(action.jobId, (view) => ({ ...view, action: null, actionError: action.error }));
    case 'action-done':
      return patch(action.jobId, (view) => {
        const done = { ...view, action: null, actionError: null, cancelling: view.action === 'cancel' };
        return action.detail ? withDetail(done, action.detail) : done;
      });
  }
}

export interface JobBoard {
  jobs: JobView[];
  open(jobId: string): void;
  close(jobId: string): void;
  cancel(jobId: string): Promise<void>;
  retry(jobId: string): Promise<void>;
  remove(jobId: string): Promise<boolean>;
}

export function useJobBoard(
  api: ApiClient,
  socket: JobSocket | null,
  options: { live: boolean; pollMs?: number; onSettled?: (jobId: string) => void },
): JobBoard {
  const [jobs, dispatch] = useReducer(reducer, []);
  const jobsRef = useRef(jobs);
  jobsRef.current = jobs;
  const onSettledRef = useRef(options.onSettled);
  onSettledRef.current = options.onSettled;
  const socketRef = useRef(socket);
  socketRef.current = socket;

  const loadDetail = useCallback(
    async (jobId: string) => {
      try {
        dispatch({ type: 'detail', detail: await api.job(jobId) });
      } catch (error) {
        dispatch({ type: 'problem', jobId, problem: describeError(error) });
      }
    },
    [api],
  );

  // A new client (an API key entered): the cards the old one could not load are asked for again.
  const apiSeen = useRef(api);
  useEffect(() => {
    if (apiSeen.current === api) return;
    apiSeen.current = api;
    for (const view of jobsRef.current)
      if (view.problem !== null || view.state === null) void loadDetail(view.jobId);
  }, [api, loadDetail]);

  useEffect(() => {
    if (!socket) return;
    // A new connection object (first render, or the URL changed): follow every job on the board.
    for (const view of jobsRef.current) socket.subscribe(view.jobId);
    const offUpdate = socket.onUpdate((state) => {
      const view = jobsRef.current.find((v) => v.jobId === state.jobId);
      if (!view) return;
      const before = view.state?.status;
      dispatch({ type: 'update', state });
      if (isTerminal(state.status) && before !== state.status) {
        void loadDetail(state.jobId);
        if (before !== undefined && !isTerminal(before)) onSettledRef.current?.(state.jobId);
      }
    });
    const offError = socket.onJobError((error) => {
      if (!error.jobId || error.code !== 'JOB_NOT_FOUND') return;
      const view = jobsRef.current.find((v) => v.jobId === error.jobId);
      // The bus forgot the job; the history may still know it (then the card shows its last state).
      socket.unsubscribe(error.jobId);
      if (view && !view.state) void loadDetail(error.jobId);
    });
    return () => {
      offUpdate();
      offError();
    };
  }, [socket, loadDetail]);

  // Jobs still going that the socket cannot follow right now, and queued jobs (for their place).
  const pollIds = jobs
    .filter((v) => v.state && !isTerminal(v.state.status) && (!options.live || v.state.status === 'queued'))
    .map((v) => v.jobId)
    .join(',');
  const pollMs = options.pollMs ?? 3000;
  useEffect(() => {
    if (pollIds === '') return;
    const timer = setInterval(() => {
      for (const jobId of pollIds.split(',')) void loadDetail(jobId);
    }, pollMs);
    return () => clearInterval(timer);
  }, [pollIds, pollMs, loadDetail]);

  const open = useCallback(
    (jobId: string) => {
      if (jobsRef.current.some((v) => v.jobId === jobId)) return;
      dispatch({ type: 'open', jobId });
      socketRef.current?.subscribe(jobId);
      void loadDetail(jobId);
    },
    [loadDetail],
  );

  const close = useCallback((jobId: string) => {
    dispatch({ type: 'close', jobId });
    socketRef.current?.unsubscribe(jobId);
  }, []);

  const run = useCallback(
    async (jobId: string, action: JobAction, call: () => Promise<JobDetail | null>): Promise<boolean> => {
      dispatch({ type: 'action', jobId, action });
      try {
        const detail = await call();
        dispatch({ type: 'action-done', jobId, detail });
        return true;
      } catch (error) {
        dispatch({ type: 'action-failed', jobId, error: describeError(error) });
        return false;
      }
    },
    [],
  );

  const cancel = useCallback(
    async (jobId: string) => {
      await run(jobId, 'cancel', () => api.cancel(jobId));
    },
    [api, run],
  );

  const retry = useCallback(
    async (jobId: string) => {
      if (await run(jobId, 'retry', () => api.retry(jobId))) {
        // Ask for a fresh snapshot: the job runs again under the same id.
        socketRef.current?.subscribe(jobId);
        onSettledRef.current?.(jobId);
      }
    },
    [api, run],
  );

  const remove = useCallback(
    async (jobId: string) => {
      const removed = await run(jobId, 'delete', async () => {
        await api.remove(jobId);
        return null;
      });
      if (removed) {
        close(jobId);
        onSettledRef.current?.(jobId);
      }
      return removed;
    },
    [api, run, close],
  );

  return { jobs, open, close, cancel, retry, remove };
}
