'use client';
import { type Ref, useEffect, useId, useRef, useState } from 'react';
import { type ApiClient, isRecord } from '../lib/api';
import { excerpt, formatDateTime, formatDuration, formatPercent } from '../lib/format';
import { currentStep, elapsedMs, isTerminal, jobMedia, remainingMs } from '../lib/job-view';
import { useArtifactToken } from '../lib/useArtifactToken';
import type { JobView } from '../lib/useJobBoard';
import { useNow } from '../lib/useNow';
import { ArtifactList } from './ArtifactList';
import { FailureReason } from './FailureReason';
import { IntermediateResults } from './IntermediateResults';
import { NodeSteps } from './NodeSteps';
import { ProgressBar } from './ProgressBar';
import { StatusPill } from './StatusPill';
import { VideoPlayer } from './VideoPlayer';

export interface JobCardActions {
  onCancel: (jobId: string) => void;
  onRetry: (jobId: string) => void;
  onDelete: (jobId: string) => void;
  onClose: (jobId: string) => void;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The announcement for screen readers: the step and the progress in tens, not every percent. */
function announcement(step: string, progress: number, running: boolean): string {
  return running ? `${step}, ${Math.floor(progress * 10) * 10}% done` : step;
}

/** One job: overall and per-step progress, timings, the failure reason, the result, and its actions. */
export function JobCard({
  view,
  api,
  actions,
  headingRef,
}: {
  view: JobView;
  api: ApiClient;
  actions: JobCardActions;
  headingRef?: Ref<HTMLHeadingElement>;
}) {
  const titleId = useId();
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const keepRef = useRef<HTMLButtonElement>(null);
  const deleteRef = useRef<HTMLButtonElement>(null);
  const wasConfirming = useRef(false);
  useEffect(() => {
    // The buttons swap places: the focus follows, so keyboard users do not lose it.
    if (confirmingDelete) keepRef.current?.focus();
    else if (wasConfirming.current) deleteRef.current?.focus();
    wasConfirming.current = confirmingDelete;
  }, [confirmingDelete]);
  const { state, jobId } = view;
  // With an API key, the media and download URLs carry this job's artifact token (never the key).
  const access = useArtifactToken(api, jobId, view.artifacts.length > 0);
  const mediaReady = !access.needed || access.token !== null;
  const running = state !== null && !isTerminal(state.status);
  const now = useNow(running);
  const prompt = text(view.input?.prompt);
  const title = prompt ? excerpt(prompt, 90) : `Job ${jobId.slice(0, 8)}`;
  const options = view.input?.options;
  const chosen: Record<string, unknown> = isRecord(options) ? options : {};
  const language = text(chosen.language) ?? 'en';
  // Captions are burned into the picture unless the job said otherwise: the track is then offered, not shown.
  const burnedIn = chosen.captions !== false;

  const header = (
    <header className="job-card__header">
      <h3 id={titleId} className="job-card__title" tabIndex={-1} ref={headingRef}>
        {title}
      </h3>
      {state ? <StatusPill status={state.status} /> : null}
      <button
        type="button"
        className="icon-button"
        aria-label="Close this card"
        title="Close this card (the job stays in the history)"
        onClick={() => actions.onClose(jobId)}
      >
        ×
      </button>
    </header>
  );

  if (!state) {
    return (
      <article className="card job-card" aria-labelledby={titleId} data-job-id={jobId} data-status="loading">
        {header}
        {view.problem ? (
          <p className="error" role="alert">
            <code>{view.problem.code}</code> {view.problem.message}
          </p>
        ) : (
          <p className="muted">Loading the job…</p>
        )}
      </article>
    );
  }

  const step = currentStep(state);
  // A failed job's step and reason are in the alert below; the line stays short.
  const stepLine = view.cancelling ? 'Cancelling…' : state.status === 'failed' ? 'Failed' : step;
  const elapsed = elapsedMs(state, now);
  const remaining = remainingMs(state, now);
  const media = jobMedia(view.artifacts);
  const done = state.nodes.filter((n) => n.status === 'completed' || n.status === 'skipped').length;
  const tone =
    state.status === 'completed'
      ? 'done'
      : state.status === 'failed'
        ? 'failed'
        : state.status === 'cancelled'
          ? 'idle'
          : 'active';
  const busy = view.action !== null;

  return (
    <article
      className={`card job-card job-card--${state.status}`}
      aria-labelledby={titleId}
      aria-busy={busy}
      data-job-id={jobId}
      data-status={state.status}
    >
      {header}
      <p className="job-card__meta">
        <span>{state.pipeline ?? 'pipeline'}</span>
        {state.createdAt ? <span>{formatDateTime(state.createdAt)}</span> : null}
        <span>
          id <code>{jobId.slice(0, 8)}</code>
        </span>
      </p>

      <div className="job-card__progress">
        <ProgressBar value={state.progress} label="Overall progress" tone={tone} />
        <div className="job-card__now">
          <span className="job-card__step">{stepLine}</span>
          <span className="job-card__percent">{formatPercent(state.progress)}</span>
        </div>
        <p className="visually-hidden" aria-live="polite" aria-atomic="true">
          {announcement(step, state.progress, running)}
        </p>
        <dl className="job-card__timings">
          {elapsed !== null ? (
            <div>
              <dt>{running ? 'Elapsed' : 'Took'}</dt>
              <dd>{formatDuration(elapsed)}</dd>
            </div>
          ) : null}
          {running ? (
            <div>
              <dt>Time left</dt>
              <dd>{remaining !== null ? `about ${formatDuration(remaining)}` : 'estimating…'}</dd>
            </div>
          ) : null}
        </dl>
      </div>

      {state.status === 'failed' ? <FailureReason state={state} /> : null}

      {access.error && !mediaReady ? (
        <p className="error" role="alert">
          <code>{access.error.code}</code> The files of this job cannot be opened: {access.error.message}
        </p>
      ) : null}

      {state.status === 'completed' && media.video && !mediaReady && !access.error ? (
        <p className="muted">Preparing the video…</p>
      ) : null}

      {state.status === 'completed' && media.video && mediaReady ? (
        <VideoPlayer
          src={api.artifactUrl(media.video, access.token)}
          {...(media.captions ? { captionsSrc: api.artifactUrl(media.captions, access.token) } : {})}
          {...(media.poster ? { posterSrc: api.artifactUrl(media.poster, access.token) } : {})}
          language={language}
          title={title}
          captionsShown={!burnedIn}
          downloadName={`myspinbot-${jobId.slice(0, 8)}.mp4`}
          crossOrigin={api.crossOrigin}
        />
      ) : null}

      {!running && mediaReady ? (
        <IntermediateResults
          api={api}
          {...(media.narration ? { narration: media.narration } : {})}
          {...(media.audio ? { audioSrc: api.artifactUrl(media.audio, access.token) } : {})}
          {...(media.captions ? { captionsSrc: api.artifactUrl(media.captions, access.token) } : {})}
        />
      ) : null}

      {running ? (
        <section className="job-card__section" aria-label="Steps">
          <NodeSteps nodes={state.nodes} />
        </section>
      ) : (
        <details className="job-card__section">
          <summary>
            Steps ({done} of {state.nodes.length} done)
          </summary>
          <NodeSteps nodes={state.nodes} />
        </details>
      )}

      {view.artifacts.length > 0 ? (
        <details className="job-card__section">
          <summary>All files ({view.artifacts.length})</summary>
          <ArtifactList api={api} artifacts={view.artifacts} nodes={state.nodes} token={access.token} />
        </details>
      ) : null}

      {view.actionError ? (
        <p className="error" role="alert">
          <code>{view.actionError.code}</code> {view.actionError.message}
        </p>
      ) : null}

      <footer className="job-card__actions">
        {running ? (
          <button
            type="button"
            className="button"
            disabled={busy || view.cancelling}
            onClick={() => actions.onCancel(jobId)}
          >
            {view.action === 'cancel' || view.cancelling ? 'Cancelling…' : 'Cancel'}
          </button>
        ) : null}
        {state.status === 'failed' || state.status === 'cancelled' ? (
          <button
            type="button"
            className="button button--primary"
            disabled={busy}
            onClick={() => actions.onRetry(jobId)}
          >
            {view.action === 'retry' ? 'Retrying…' : 'Retry'}
          </button>
        ) : null}
        {!running && !confirmingDelete ? (
          <button
            type="button"
            className="button button--quiet"
            ref={deleteRef}
            disabled={busy}
            onClick={() => setConfirmingDelete(true)}
          >
            Delete
          </button>
        ) : null}
        {!running && confirmingDelete ? (
          <fieldset className="confirm">
            <legend className="confirm__question">Delete this job and its files?</legend>
            <button
              type="button"
              className="button button--danger"
              disabled={busy}
              onClick={() => actions.onDelete(jobId)}
            >
              {view.action === 'delete' ? 'Deleting…' : 'Delete for good'}
            </button>
            <button
              type="button"
              className="button button--quiet"
              ref={keepRef}
              onClick={() => setConfirmingDelete(false)}
            >
              Keep
            </button>
          </fieldset>
        ) : null}
      </footer>
    </article>
  );
}
