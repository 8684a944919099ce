/**
 * How S3 failures map onto the error taxonomy: a missing object is absence (null or ARTIFACT_NOT_FOUND,
 * decided by the caller), a bad range is RANGE_NOT_SATISFIABLE, and everything else is
 * STORAGE_UNAVAILABLE — retryable when the server could not be reached, was busy or failed (network
 * errors, timeouts, throttling, 5xx), not retryable when retrying cannot help (missing bucket, refused
 * credentials, a request the server rejects).
 */
import { MySpinBotError } from '@myspinbot/contracts';

interface S3ErrorShape {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  errors?: unknown;
  cause?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

const TRANSIENT_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'AbortError',
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'ServiceUnavailable',
  'InternalError',
  'NetworkingError',
]);

const AUTH_NAMES = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidToken',
  'ExpiredToken',
]);

function shape(error: unknown): S3ErrorShape {
  return typeof error === 'object' && error !== null ? (error as S3ErrorShape) : {};
}

/** The S3 error name (e.g. NoSuchKey), or undefined. */
export function s3ErrorName(error: unknown): string | undefined {
  const { name, Code } = shape(error);
  if (typeof Code === 'string') return Code;
  return typeof name === 'string' ? name : undefined;
}

export function httpStatusOf(error: unknown): number | undefined {
  const status = shape(error).$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The errno-like codes of an error, its AggregateError members and its causes. */
function networkCodes(error: unknown, depth = 0): string[] {
  if (depth > 4) return [];
  const { code, errors, cause } = shape(error);
  const out = typeof code === 'string' ? [code] : [];
  if (Array.isArray(errors)) for (const inner of errors) out.push(...networkCodes(inner, depth + 1));
  if (cause !== undefined) out.push(...networkCodes(cause, depth + 1));
  return out;
}

/** True when S3 says the object (or a HEAD target) does not exist; a missing bucket is not this. */
export function isNoSuchKey(error: unknown): boolean {
  const name = s3ErrorName(error);
  if (name === 'NoSuchKey' || name === 'NotFound') return true;
  return httpStatusOf(error) === 404 && name !== 'NoSuchBucket' && name !== 'NoSuchUpload';
}

export function isNoSuchBucket(error: unknown): boolean {
  return s3ErrorName(error) === 'NoSuchBucket';
}

export function isInvalidRange(error: unknown): boolean {
  return s3ErrorName(error) === 'InvalidRange' || httpStatusOf(error) === 416;
}

/** True when trying again later may succeed. */
export function isTransient(error: unknown): boolean {
  if (networkCodes(error).some((code) => NETWORK_CODES.has(code))) return true;
  const name = s3ErrorName(error);
  if (name !== undefined && TRANSIENT_NAMES.has(name)) return true;
  const status = httpStatusOf(error);
  return status !== undefined && (status >= 500 || status === 429);
}

/** Any failure of an S3 call as a MySpinBotError (see the module comment for the mapping). */
export function storageError(error: unknown, op: string, bucket: string, key?: string): MySpinBotError {
  if (error instanceof MySpinBotError) return error;
  const name = s3ErrorName(error) ?? 'Error';
  const status = httpStatusOf(error) ?? null;
  const detail = error instanceof Error && error.message !== '' ? error.message : name;
  const details: Record<string, unknown> = { op, bucket, s3Error: name, status };
  if (key !== undefined) details.key = key;
  if (isInvalidRange(error))
    return new MySpinBotError(
      'RANGE_NOT_SATISFIABLE',
      `the requested range of ${key ?? 'the object'} is not satisfiable`,
      {
        cause: error,
        details,
      },
    );
  if (isNoSuchBucket(error))
    return new MySpinBotError('STORAGE_UNAVAILABLE', `S3 bucket "${bucket}" does not exist (${op})`, {
      retryable: false,
      cause: error,
      details,
    });
  if (AUTH_NAMES.has(name) || status === 403)
    return new MySpinBotError(
      'STORAGE_UNAVAILABLE',
      `S3 refused the credentials for "${bucket}" (${op}: ${name})`,
      {
        retryable: false,
        cause: error,
        details,
      },
    );
  const retryable = isTransient(error);
  return new MySpinBotError(
    'STORAGE_UNAVAILABLE',
    retryable
      ? `S3 storage unreachable or failing (${op} on "${bucket}": ${detail})`
      : `S3 rejected ${op} on "${bucket}" (${name}: ${detail})`,
    { retryable, cause: error, details },
  );
}
