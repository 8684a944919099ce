/**
 * Rules every store shares: what a content type may be, how a requested range is checked and clamped,
 * and how a stored object becomes an ArtifactRef.
 */
import { type ArtifactRef, artifactRefValidator, MySpinBotError } from '@myspinbot/contracts';
import { parseArtifactKey } from './keys.js';
import type { ByteRange, RangeRequest, StoredObject } from './types.js';

/** Stored when the writer gave nothing better (S3 objects written by other tools). */
export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

const TOKEN = "[A-Za-z0-9!#$%&'*+.^_`|~-]+";
const CONTENT_TYPE_PATTERN = new RegExp(`^${TOKEN}/${TOKEN}(?:[ \\t]*;[\\x20-\\x7e]*)?$`);

/** A content type is `type/subtype` with optional parameters, printable ASCII, at most 255 characters. */
export function isContentType(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 255 && CONTENT_TYPE_PATTERN.test(value);
}

/** Throws SCHEMA_INVALID (the ArtifactRef contract) for a content type that could not be stored as is. */
export function checkContentType(value: unknown): string {
  if (!isContentType(value))
    throw new MySpinBotError(
      'SCHEMA_INVALID',
      `invalid content type ${JSON.stringify(String(value)).slice(0, 120)}: expected type/subtype[; params], printable ASCII, at most 255 characters`,
      { details: { field: 'contentType' } },
    );
  return value;
}

function unsatisfiable(range: RangeRequest, size: number | null): MySpinBotError {
  const wanted = `${String(range.start)}-${range.end === undefined ? '' : String(range.end)}`;
  return new MySpinBotError(
    'RANGE_NOT_SATISFIABLE',
    size === null
      ? `byte range ${wanted} is not valid`
      : `byte range ${wanted} lies outside the artifact (${size} bytes)`,
    { details: { start: range.start, end: range.end ?? null, size } },
  );
}

/** Throws RANGE_NOT_SATISFIABLE unless start is a whole number >= 0 and end (when given) is one >= start. */
export function checkRangeRequest(range: RangeRequest): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0) throw unsatisfiable(range, null);
  if (end !== undefined && (!Number.isSafeInteger(end) || end < start)) throw unsatisfiable(range, null);
}

/**
 * The range served from an object of `size` bytes: RANGE_NOT_SATISFIABLE when it starts at or past the end
 * (so any range of an empty object), otherwise `end` clamped to the last byte.
 */
export function resolveRange(range: RangeRequest, size: number): ByteRange {
  checkRangeRequest(range);
  if (range.start >= size) throw unsatisfiable(range, size);
  return { start: range.start, end: Math.min(range.end ?? size - 1, size - 1) };
}

/** The contract form of a stored object; jobId, nodeId and name come from the key. */
export function artifactRefOf(object: StoredObject): ArtifactRef {
  const { jobId, nodeId, name } = parseArtifactKey(object.key);
  const ref: ArtifactRef = {
    key: object.key,
    jobId,
    nodeId,
    name,
    contentType: object.contentType,
    size: object.size,
    createdAt: object.updatedAt,
  };
  if (object.sha256 !== undefined) ref.sha256 = object.sha256;
  return artifactRefValidator.parse(ref);
}

/** A hex SHA-256 as recorded by the stores, or undefined for anything else. */
export function sha256OrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && /^[a-f0-9]{64}$/.test(value) ? value : undefined;
}
