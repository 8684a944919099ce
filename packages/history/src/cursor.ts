/**
 * The list cursor: base64url of the JSON pair [createdAt, jobId] of the last row of a page. It is the row's
 * sort key, so the next page starts strictly after that row whatever was inserted meanwhile.
 */
import { canonicalTimestamp, invalid, isJobId } from './validate.js';

export interface SortKey {
  /** Canonical timestamp (UTC, milliseconds). */
  createdAt: string;
  jobId: string;
}

const BASE64URL = /^[A-Za-z0-9_-]{1,512}$/;

export function encodeCursor(key: SortKey): string {
  return Buffer.from(JSON.stringify([key.createdAt, key.jobId]), 'utf8').toString('base64url');
}

/** The sort key a cursor names; anything this module did not produce is SCHEMA_INVALID. */
export function decodeCursor(cursor: string): SortKey {
  const malformed = () => invalid('invalid list cursor: not a cursor returned by list()');
  if (typeof cursor !== 'string' || !BASE64URL.test(cursor)) throw malformed();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw malformed();
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) throw malformed();
  const [createdAt, jobId] = decoded as unknown[];
  if (typeof createdAt !== 'string' || canonicalTimestamp(createdAt) !== createdAt || !isJobId(jobId)) {
    throw malformed();
  }
  const key = { createdAt, jobId };
  // Only the exact encoding is accepted, so one position has one cursor.
  if (encodeCursor(key) !== cursor) throw malformed();
  return key;
}
