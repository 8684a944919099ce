import { MySpinBotError } from '@myspinbot/contracts';
import { PostgresJobHistory } from './postgres/postgres-history.js';
import { redactUrl } from './redact.js';
import { SqliteJobHistory } from './sqlite/sqlite-history.js';
import type { JobHistory } from './types.js';

export interface CreateJobHistoryOptions {
  /** Pool size for PostgreSQL (ignored for SQLite). */
  poolSize?: number;
}

/**
 * The history a URL names: `sqlite:<path>` (relative to the working directory, e.g.
 * `sqlite:./data/history.sqlite`, or absolute, `sqlite:/var/lib/myspinbot/history.sqlite`) or
 * `postgres://...` / `postgresql://...`. Any other value is CONFIG_INVALID naming it (password masked).
 * The store is not initialised: call init().
 */
export function createJobHistory(url: string, options: CreateJobHistoryOptions = {}): JobHistory {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    // sqlite://... is refused: whether "//x" names a host or a path is ambiguous.
    if (file.length === 0 || file.startsWith('//')) {
      throw new MySpinBotError(
        'CONFIG_INVALID',
        `invalid history URL '${url}': use sqlite:./relative/path or sqlite:/absolute/path`,
        { details: { value: url } },
      );
    }
    return new SqliteJobHistory({ file });
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    return new PostgresJobHistory({
      url,
      ...(options.poolSize === undefined ? {} : { poolSize: options.poolSize }),
    });
  }
  const shown = redactUrl(url);
  throw new MySpinBotError(
    'CONFIG_INVALID',
    `invalid history URL '${shown}': expected sqlite:<path>, postgres://... or postgresql://...`,
    { details: { value: shown } },
  );
}
