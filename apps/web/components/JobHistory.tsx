'use client';
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { type ApiClient, describeError } from '../lib/api';
import { HISTORY_PAGE_SIZE } from '../lib/config';
import { excerpt, formatDateTime, formatPercent } from '../lib/format';
import type { JobStatus, JobSummary } from '../lib/types';
import { StatusPill } from './StatusPill';

const NO_FILTER: JobStatus[] = [];

const FILTERS: Record<string, { label: string; status: JobStatus[] }> = {
  all: { label: 'All jobs', status: [] },
  active: { label: 'Queued or running', status: ['queued', 'running'] },
  completed: { label: 'Completed', status: ['completed'] },
  failed: { label: 'Failed', status: ['failed'] },
  cancelled: { label: 'Cancelled', status: ['cancelled'] },
};

/**
 * The server's job history (GET /api/jobs), newest first, a page at a time (cursor). It is the server's,
 * so it is the same after a reload; `version` changes make it load its first page again.
 */
export function JobHistory({
  api,
  version,
  onOpen,
}: {
  api: ApiClient;
  version: number;
  onOpen: (jobId: string) => void;
}) {
  const headingId = useId();
  const filterId = useId();
  const [filter, setFilter] = useState('all');
  const [items, setItems] = useState<JobSummary[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const [refresh, setRefresh] = useState(0);
  const firstNewRef = useRef<HTMLButtonElement>(null);
  const [focusIndex, setFocusIndex] = useState<number | null>(null);
  // The filters are constants, so `status` keeps its identity while the filter does.
  const status = FILTERS[filter]?.status ?? NO_FILTER;

  useEffect(() => {
    // `version` and `refresh` only ask for a reload.
    void version;
    void refresh;
    const abort = new AbortController();
    setLoading(true);
    setError(null);
    api
      .jobs({ limit: HISTORY_PAGE_SIZE, status }, abort.signal)
      .then((page) => {
        setItems(page.items);
        setNextCursor(page.nextCursor);
        setTotal(page.total ?? null);
      })
      .catch((e: unknown) => {
        if (!abort.signal.aborted) setError(describeError(e));
      })
      .finally(() => {
        if (!abort.signal.aborted) setLoading(false);
      });
    return () => abort.abort();
  }, [api, version, refresh, status]);

  useEffect(() => {
    if (focusIndex !== null) {
      firstNewRef.current?.focus();
      setFocusIndex(null);
    }
  }, [focusIndex]);

  const loadMore = useCallback(() => {
    if (!nextCursor) return;
    const firstNew = items.length;
    setLoading(true);
    setError(null);
    api
      .jobs({ limit: HISTORY_PAGE_SIZE, cursor: nextCursor, status })
      .then((page) => {
        setItems((before) => {
          const seen = new Set(before.map((i) => i.jobId));
          return [...before, ...page.items.filter((i) => !seen.has(i.jobId))];
        });
        // Keep the focus in the list: on the first row that was added ("Load more" may disappear).
        setFocusIndex(firstNew);
        setNextCursor(page.nextCursor);
        if (page.total !== undefined) setTotal(page.total);
      })
      .catch((e: unknown) => setError(describeError(e)))
      .finally(() => setLoading(false));
  }, [api, nextCursor, status, items.length]);

  return (
    <section className="panel history" aria-labelledby={headingId} aria-busy={loading}>
      <div className="history__head">
        <h2 id={headingId}>History</h2>
        <div className="history__tools">
          <label htmlFor={filterId} className="visually-hidden">
            Show
          </label>
          <select id={filterId} value={filter} onChange={(e) => setFilter(e.target.value)}>
            {Object.entries(FILTERS).map(([value, f]) => (
              <option key={value} value={value}>
                {f.label}
              </option>
            ))}
          </select>
          <button type="button" className="button button--small" onClick={() => setRefresh((r) => r + 1)}>
            Refresh
          </button>
        </div>
      </div>

      {error ? (
        <p className="error" role="alert">
          <code>{error.code}</code> {error.message}
        </p>
      ) : null}

      {items.length === 0 && !loading && !error ? <p className="muted">No jobs yet.</p> : null}

      <ul className="history__list">
        {items.map((item, index) => (
          <li key={item.jobId}>
            <button
              type="button"
              className="history__item"
              data-job-id={item.jobId}
              ref={index === focusIndex ? firstNewRef : undefined}
              onClick={() => onOpen(item.jobId)}
            >
              <StatusPill status={item.status} />
              <span className="history__prompt">
                {item.prompt ? excerpt(item.prompt, 70) : `Job ${item.jobId.slice(0, 8)}`}
              </span>
              <span className="history__meta">
                {formatDateTime(item.createdAt)} · {item.pipeline}
                {item.status === 'running' || item.status === 'queued'
                  ? ` · ${formatPercent(item.progress)}`
                  : ''}
                {item.error ? ` · ${item.error.code}` : ''}
              </span>
            </button>
          </li>
        ))}
      </ul>

      <div className="history__foot">
        <p className="muted" aria-live="polite">
          {loading
            ? 'Loading…'
            : total !== null
              ? `Showing ${items.length} of ${total}`
              : `Showing ${items.length}`}
        </p>
        {nextCursor ? (
          <button type="button" className="button" disabled={loading} onClick={loadMore}>
            Load more
          </button>
        ) : null}
      </div>
    </section>
  );
}
