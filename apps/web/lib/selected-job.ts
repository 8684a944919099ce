/** The job named in the page address (?job=<id>), so a reload or a shared link opens it again. */

const JOB_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function readSelectedJob(
  search: string = typeof window === 'undefined' ? '' : window.location.search,
): string | null {
  const value = new URLSearchParams(search).get('job');
  return value !== null && JOB_ID.test(value) ? value : null;
}

export function writeSelectedJob(jobId: string | null): void {
  if (typeof window === 'undefined') return;
  const url = new URL(window.location.href);
  if (jobId === null) url.searchParams.delete('job');
  else url.searchParams.set('job', jobId);
  if (url.href !== window.location.href) window.history.replaceState(window.history.state, '', url);
}
