import { STATUS_LABEL } from '../lib/job-view';
import type { JobStatus } from '../lib/types';

/** A job's status as a small coloured label. */
export function StatusPill({ status }: { status: JobStatus }) {
  return <span className={`pill pill--${status}`}>{STATUS_LABEL[status]}</span>;
}
