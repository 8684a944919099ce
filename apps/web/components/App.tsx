'use client';
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { ApiClient } from '../lib/api';
import { readApiKey, writeApiKey } from '../lib/api-key';
import { DEFAULT_LIMITS, limitsFromApi } from '../lib/config';
import { LimitsContext } from '../lib/limits';
import { readSelectedJob, writeSelectedJob } from '../lib/selected-job';
import type { ApiLimits, TrainAccepted } from '../lib/types';
import { useCatalog } from '../lib/useCatalog';
import { useJobBoard } from '../lib/useJobBoard';
import { useJobSocket } from '../lib/useJobSocket';
import { ApiKeyPanel } from './ApiKeyPanel';
import { ConnectionBadge } from './ConnectionBadge';
import { JobCard, type JobCardActions } from './JobCard';
import { JobHistory } from './JobHistory';
import { UploadForm } from './UploadForm';

/**
 * The whole page: the form, the job cards with live progress, and the history. It starts by reading the
 * server's limits (GET /api/limits, open to all): the form checks against them, and when the server needs
 * an API key the page asks for one first (and again whenever the server refuses it).
 */
export function App({ api: base }: { api: ApiClient }) {
  const [limits, setLimits] = useState<ApiLimits | null>(null);
  const [apiKey, setApiKey] = useState<string | null>(() => readApiKey());
  // Set when the server answers 401 UNAUTHORIZED; `withKey`: to a key (refused) or to none (missing).
  const [denied, setDenied] = useState<{ withKey: boolean } | null>(null);
  // Bumped on each key entered: a fresh client (and fresh loads) even when the same key is entered again.
  const [keyRound, setKeyRound] = useState(0);
  useEffect(() => {
    const abort = new AbortController();
    base
      .limits(abort.signal)
      .then((answer) => setLimits(answer))
      .catch(() => {
        // An older or unreachable server: the built-in defaults stay, and a 401 still asks for a key.
      });
    return () => abort.abort();
  }, [base]);
  // A stored key is not sent to a server that says it needs none.
  const keyInUse = limits?.apiKeyRequired === false ? null : apiKey;
  // Late answers to a client of a key no longer in use say nothing about the current one.
  const activeKey = useRef(keyInUse);
  activeKey.current = keyInUse;
  const api = useMemo(() => {
    void keyRound;
    return base.with({
      apiKey: keyInUse,
      onUnauthorized: () => {
        if (activeKey.current === keyInUse) setDenied({ withKey: keyInUse !== null });
      },
    });
  }, [base, keyInUse, keyRound]);
  const needsKey = denied !== null || (limits?.apiKeyRequired === true && keyInUse === null);
  const uploadLimits = useMemo(() => (limits ? limitsFromApi(limits) : DEFAULT_LIMITS), [limits]);
  const acceptKey = useCallback((key: string) => {
    writeApiKey(key);
    setApiKey(key);
    setDenied(null);
    setKeyRound((r) => r + 1);
  }, []);
  const forgetKey = useCallback(() => {
    writeApiKey(null);
    setApiKey(null);
  }, []);

  const formHeading = useId();
  const jobsHeading = useId();
  const { socket, connection } = useJobSocket(needsKey ? null : api.socketUrl());
  const [historyVersion, setHistoryVersion] = useState(0);
  const refreshHistory = useCallback(() => setHistoryVersion((v) => v + 1), []);
  const board = useJobBoard(api, socket, { live: connection.status === 'open', onSettled: refreshHistory });
  const catalog = useCatalog(api);
  const headings = useRef(new Map<string, HTMLHeadingElement>());
  const [focusJob, setFocusJob] = useState<string | null>(null);
  const { open, close, cancel, retry, remove } = board;

  // On load: the jobs still going, then the job named in the address on top.
  useEffect(() => {
    const abort = new AbortController();
    const selected = readSelectedJob();
    api
      .jobs({ status: ['queued', 'running'], limit: 10 }, abort.signal)
      .then((page) => {
        for (const item of [...page.items].reverse()) open(item.jobId);
      })
      .catch(() => {
        // The history shows the error; the cards are optional here.
      })
      .finally(() => {
        if (selected === null || abort.signal.aborted) return;
        open(selected);
        // A reload or a shared link: bring the job into view (on a phone it is below the form).
        setFocusJob(selected);
      });
    return () => abort.abort();
  }, [api, open]);

  useEffect(() => {
    if (focusJob === null) return;
    // Once the card has its content, so that it can scroll to the top of the screen.
    const view = board.jobs.find((v) => v.jobId === focusJob);
    if (!view) {
      setFocusJob(null); // closed before it loaded
      return;
    }
    if (view.state === null && view.problem === null) return;
    const heading = headings.current.get(focusJob);
    if (heading) {
      // The card's top in view (below the form on a phone), and the focus on its title for screen readers.
      heading.focus({ preventScroll: true });
      heading.closest('article')?.scrollIntoView?.({ block: 'start' });
      setFocusJob(null);
    }
  });

  const openJob = useCallback(
    (jobId: string) => {
      open(jobId);
      writeSelectedJob(jobId);
      setFocusJob(jobId);
    },
    [open],
  );

  const onSubmitted = useCallback(
    (accepted: TrainAccepted) => {
      openJob(accepted.jobId);
      refreshHistory();
    },
    [openJob, refreshHistory],
  );

  const actions: JobCardActions = {
    onCancel: (jobId) => void cancel(jobId),
    onRetry: (jobId) => void retry(jobId),
    onDelete: (jobId) => {
      void remove(jobId).then((removed) => {
        if (removed && readSelectedJob() === jobId) writeSelectedJob(null);
      });
    },
    onClose: (jobId) => {
      close(jobId);
      if (readSelectedJob() === jobId) writeSelectedJob(null);
    },
  };

  return (
    <>
      <a href="#main" className="skip-link">
        Skip to the content
      </a>
      <header className="topbar">
        <div className="topbar__inner">
          <div className="brand">
            <span className="brand__mark" aria-hidden="true" />
            <div>
              <h1 className="brand__name">MySpinBot</h1>
              <p className="brand__tagline">Talking portraits from a photo and a prompt</p>
            </div>
          </div>
          {needsKey ? null : (
            <ConnectionBadge connection={connection} onReconnect={() => socket?.reconnectNow()} />
          )}
        </div>
      </header>

      {needsKey ? (
        <main id="main" tabIndex={-1}>
          <ApiKeyPanel refused={denied?.withKey === true} onKey={acceptKey} />
        </main>
      ) : (
        <LimitsContext value={uploadLimits}>
          <main id="main" className="layout" tabIndex={-1}>
            <section className="panel panel--form" aria-labelledby={formHeading}>
              <h2 id={formHeading}>New video</h2>
              <UploadForm
                pipelines={catalog.pipelines}
                manifest={catalog.manifest}
                catalogError={catalog.error}
                onReloadCatalog={catalog.reload}
                onSubmit={(request) => api.train(request)}
                onSubmitted={onSubmitted}
              />
            </section>

            <div className="layout__side">
              <section className="jobs" aria-labelledby={jobsHeading}>
                <h2 id={jobsHeading}>Jobs</h2>
                {board.jobs.length === 0 ? (
                  <p className="empty">
                    Jobs you start or open from the history appear here, with their progress.
                  </p>
                ) : (
                  <div className="jobs__list">
                    {board.jobs.map((view) => (
                      <JobCard
                        key={view.jobId}
                        view={view}
                        api={api}
                        actions={actions}
                        headingRef={(element) => {
                          if (element) headings.current.set(view.jobId, element);
                          else headings.current.delete(view.jobId);
                        }}
                      />
                    ))}
                  </div>
                )}
              </section>
              <JobHistory api={api} version={historyVersion} onOpen={openJob} />
            </div>
          </main>
        </LimitsContext>
      )}

      <footer className="footer">
        <p>
          MySpinBot · <a href={api.url('/api/openapi.json')}>API reference (OpenAPI)</a>
          {keyInUse !== null ? (
            <>
              {' · '}
              <button type="button" className="link-button" onClick={forgetKey}>
                Forget the API key
              </button>
            </>
          ) : null}
        </p>
      </footer>
    </>
  );
}
