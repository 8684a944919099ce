/**
 * The error taxonomy shared by every package and process. Every error that can cross a process boundary
 * (onto a graph node, into an HTTP answer, into a dead-letter entry) is a MySpinBotError with a stable code.
 */
import type { NodeError } from './types.generated.js';

/** Kind decides the log level and who is to blame: the caller (user), the environment (operational), or us (bug). */
export type ErrorKind = 'user' | 'operational' | 'bug';

interface CodeSpec {
  readonly kind: ErrorKind;
  readonly retryable: boolean;
  readonly httpStatus: number;
  readonly summary: string;
}

/** Every stable error code, in one place. docs/errors are checked against this table by a test. */
export const ERROR_CODES = {
  CONFIG_INVALID: {
    kind: 'user',
    retryable: false,
    httpStatus: 500,
    summary: 'Configuration failed validation',
  },
  SCHEMA_INVALID: {
    kind: 'user',
    retryable: false,
    httpStatus: 400,
    summary: 'A message does not match its schema',
  },
  GRAPH_DUPLICATE_NODE: { kind: 'user', retryable: false, httpStatus: 422, summary: 'Two nodes share an id' },
  GRAPH_DANGLING_EDGE: {
    kind: 'user',
    retryable: false,
    httpStatus: 422,
    summary: 'An edge names a missing node',
  },
  GRAPH_CYCLE: { kind: 'user', retryable: false, httpStatus: 422, summary: 'The graph has a cycle' },
  GRAPH_DUPLICATE_INPUT: {
    kind: 'user',
    retryable: false,
    httpStatus: 422,
    summary: 'Two data edges fill the same input slot of a node',
  },
  GRAPH_UNKNOWN_SERVICE: {
    kind: 'user',
    retryable: false,
    httpStatus: 422,
    summary: 'A node names a service no plane advertises',
  },
  GRAPH_ID_MISMATCH: {
    kind: 'user',
    retryable: false,
    httpStatus: 422,
    summary: 'The graph workflowId differs from its job id',
  },
  PIPELINE_UNKNOWN: {
    kind: 'user',
    retryable: false,
    httpStatus: 422,
    summary: 'No public pipeline of that name',
  },
  BAD_REQUEST: { kind: 'user', retryable: false, httpStatus: 400, summary: 'The request is malformed' },
  INPUT_MISSING: {
    kind: 'user',
    retryable: false,
    httpStatus: 400,
    summary: 'A required field or upload is missing',
  },
  INPUT_TOO_LARGE: {
    kind: 'user',
    retryable: false,
    httpStatus: 413,
    summary: 'An upload or field is over its size limit',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    kind: 'user',
    retryable: false,
    httpStatus: 415,
    summary: 'An upload is not of an accepted type (checked by content)',
  },
  JOB_NOT_RETRYABLE: {
    kind: 'user',
    retryable: false,
    httpStatus: 409,
    summary: 'Only failed or cancelled jobs can be retried',
  },
  JOB_FINISHED: { kind: 'user', retryable: false, httpStatus: 409, summary: 'The job has already finished' },
  UNAUTHORIZED: { kind: 'user', retryable: false, httpStatus: 401, summary: 'A valid API key is required' },
  ARTIFACT_TOKEN_INVALID: {
    kind: 'user',
    retryable: false,
    httpStatus: 401,
    summary: 'An artifact token is malformed, forged, or for another job',
  },
  ARTIFACT_TOKEN_EXPIRED: {
    kind: 'user',
    retryable: false,
    httpStatus: 401,
    summary: 'An artifact token has expired; ask for a new one',
  },
  RATE_LIMITED: {
    kind: 'user',
    retryable: true,
    httpStatus: 429,
    summary: 'Too many requests; try again later',
  },
  CALLBACK_NOT_ALLOWED: {
    kind: 'user',
    retryable: false,
    httpStatus: 422,
    summary: 'The callbackUrl host is not on the allow-list',
  },
  JOB_NOT_FOUND: { kind: 'user', retryable: false, httpStatus: 404, summary: 'No job with this id' },
  JOB_CANCELLED: { kind: 'user', retryable: false, httpStatus: 409, summary: 'The job was cancelled' },
  NODE_TIMEOUT: {
    kind: 'operational',
    retryable: true,
    httpStatus: 504,
    summary: 'A node ran past its timeout',
  },
  NODE_CANCELLED: {
    kind: 'user',
    retryable: false,
    httpStatus: 409,
    summary: 'A node was aborted by cancellation',
  },
  UPSTREAM_FAILED: {
    kind: 'operational',
    retryable: true,
    httpStatus: 409,
    summary: 'Not run because an upstream node failed or was cancelled',
  },
  NODE_INPUT_INVALID: {
    kind: 'user',
    retryable: false,
    httpStatus: 422,
    summary: 'A node got input it cannot use',
  },
  NO_FACE_FOUND: {
    kind: 'user',
    retryable: false,
    httpStatus: 422,
    summary: 'No face was found in the portrait',
  },
  MEDIA_INVALID: {
    kind: 'user',
    retryable: false,
    httpStatus: 415,
    summary: 'An image, audio or video input could not be decoded',
  },
  MEDIA_TOOL_FAILED: {
    kind: 'operational',
    retryable: true,
    httpStatus: 500,
    summary: 'An external media tool (ffmpeg, ffprobe) failed',
  },
  ARTIFACT_KEY_INVALID: {
    kind: 'user',
    retryable: false,
    httpStatus: 400,
    summary: 'An artifact key is not of the form jobs/<jobId>/<nodeId>/<name>',
  },
  ARTIFACT_NOT_FOUND: {
    kind: 'user',
    retryable: false,
    httpStatus: 404,
    summary: 'No artifact with this key',
  },
  RANGE_NOT_SATISFIABLE: {
    kind: 'user',
    retryable: false,
    httpStatus: 416,
    summary: 'The requested byte range lies outside the artifact',
  },
  STORAGE_UNAVAILABLE: {
    kind: 'operational',
    retryable: true,
    httpStatus: 503,
    summary: 'The artifact store cannot be reached',
  },
  HISTORY_UNAVAILABLE: {
    kind: 'operational',
    retryable: true,
    httpStatus: 503,
    summary: 'The job history database cannot be reached',
  },
  SERVICE_NOT_FOUND: {
    kind: 'operational',
    retryable: false,
    httpStatus: 422,
    summary: 'The executor has no service of that name',
  },
  SERVICE_FAILED: {
    kind: 'bug',
    retryable: false,
    httpStatus: 500,
    summary: 'A service threw an unexpected error',
  },
  ENGINE_UNAVAILABLE: {
    kind: 'operational',
    retryable: true,
    httpStatus: 503,
    summary: 'An engine or remote service could not be reached',
  },
  CLAIM_LOST: {
    kind: 'operational',
    retryable: true,
    httpStatus: 409,
    summary: 'Another consumer reclaimed the entry while this one worked on it',
  },
  ENTRY_MALFORMED: {
    kind: 'user',
    retryable: false,
    httpStatus: 400,
    summary: 'A stream entry could not be parsed or validated',
  },
  MAX_DELIVERIES_EXCEEDED: {
    kind: 'operational',
    retryable: false,
    httpStatus: 500,
    summary: 'An entry was delivered too many times and was dead-lettered',
  },
  BUS_STATE_LOST: {
    kind: 'operational',
    retryable: true,
    httpStatus: 503,
    summary: 'Redis came back without the state it held (restarted empty)',
  },
  BUS_UNAVAILABLE: {
    kind: 'operational',
    retryable: true,
    httpStatus: 503,
    summary: 'The bus cannot be reached',
  },
  PLANE_UNAVAILABLE: {
    kind: 'operational',
    retryable: true,
    httpStatus: 503,
    summary: 'A plane did not answer in time',
  },
  SHUTTING_DOWN: {
    kind: 'operational',
    retryable: true,
    httpStatus: 503,
    summary: 'The process is shutting down',
  },
} as const satisfies Record<string, CodeSpec>;

export type KnownErrorCode = keyof typeof ERROR_CODES;

export function isKnownErrorCode(code: string): code is KnownErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}

export interface MySpinBotErrorOptions {
  retryable?: boolean;
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** An error with a stable code; serialisable into a graph node, an HTTP answer or a log line. */
export class MySpinBotError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: MySpinBotErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MySpinBotError';
    this.code = code;
    const spec = isKnownErrorCode(code) ? ERROR_CODES[code] : undefined;
    this.retryable = options.retryable ?? spec?.retryable ?? false;
    this.details = options.details;
  }

  get kind(): ErrorKind {
    return isKnownErrorCode(this.code) ? ERROR_CODES[this.code].kind : 'operational';
  }

  get httpStatus(): number {
    return isKnownErrorCode(this.code) ? ERROR_CODES[this.code].httpStatus : 500;
  }

  toNodeError(): NodeError {
    const out: NodeError = {
      code: this.code,
      message: this.message.slice(0, 4000),
      retryable: this.retryable,
    };
    if (this.details !== undefined) out.details = this.details;
    return out;
  }

  static fromNodeError(error: NodeError): MySpinBotError {
    return new MySpinBotError(error.code, error.message, {
      retryable: error.retryable,
      ...(error.details === undefined ? {} : { details: error.details }),
    });
  }
}

/**
 * Turns anything thrown into a NodeError. A MySpinBotError keeps its code; an error that carries a valid
 * `code` string keeps it too; anything else is SERVICE_FAILED (a bug in the service).
 */
export function toNodeError(thrown: unknown): NodeError {
  if (thrown instanceof MySpinBotError) return thrown.toNodeError();
  if (thrown instanceof Error) {
    const code = (thrown as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,63}$/.test(code)) {
      return { code, message: thrown.message.slice(0, 4000), retryable: false };
    }
    return {
      code: 'SERVICE_FAILED',
      message: thrown.message.slice(0, 4000) || thrown.name,
      retryable: false,
    };
  }
  return { code: 'SERVICE_FAILED', message: String(thrown).slice(0, 4000), retryable: false };
}
