/**
 * The exit codes scripts rely on, and the one error type every command ends with. Each failure maps to
 * exactly one code; the same HTTP-status table classifies the server's answers and, through the shared
 * error taxonomy, the in-process engine's errors, so both modes of `generate` exit alike.
 */
import { ERROR_CODES, isKnownErrorCode, MySpinBotError } from '@myspinbot/contracts';

export const ExitCode = {
  /** The command did what it was asked. */
  OK: 0,
  /** Something unexpected (a bug); the message says what. */
  INTERNAL: 1,
  /** Bad or missing arguments (or configuration). */
  USAGE: 2,
  /** An input was rejected: a file missing or unreadable, of the wrong type or size, any other 4xx. */
  INPUT_REJECTED: 3,
  /** The job failed; the message names the node, the code and the reason. */
  JOB_FAILED: 4,
  /** The job was cancelled (by someone else: our own Ctrl-C exits 130). */
  JOB_CANCELLED: 5,
  /** The server could not be reached, answered 5xx or 429, or the run timed out. */
  UNAVAILABLE: 6,
  /** The server wants a valid API key (401). */
  UNAUTHORIZED: 7,
  /** Interrupted by Ctrl-C (SIGINT) or SIGTERM; the job was cancelled. */
  INTERRUPTED: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface CliErrorOptions {
  /** The failed node of a failed job. */
  nodeId?: string;
  cause?: unknown;
}

/** A failure with its exit code and a stable code (the server's error code when there is one). */
export class CliError extends Error {
  readonly nodeId: string | undefined;

  constructor(
    readonly exitCode: ExitCodeValue,
    readonly code: string,
    message: string,
    options: CliErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.nodeId = options.nodeId;
  }
}

/** A bad command line: exit 2, and the message points at --help. */
export function usageError(message: string): CliError {
  return new CliError(ExitCode.USAGE, 'USAGE', message);
}

/** 401 -> 7; 429 and 5xx -> 6 (try again later); any other 4xx -> 3 (the request itself is refused). */
export function exitCodeForStatus(status: number): ExitCodeValue {
  if (status === 401) return ExitCode.UNAUTHORIZED;
  if (status === 429 || status >= 500) return ExitCode.UNAVAILABLE;
  if (status >= 400) return ExitCode.INPUT_REJECTED;
  return ExitCode.UNAVAILABLE;
}

/**
 * An error of the shared taxonomy thrown in process: classified by the HTTP status its code carries, as
 * the server would have answered it. A configuration problem is a usage error (the caller's environment).
 */
export function fromEngineError(error: MySpinBotError): CliError {
  if (error.code === 'CONFIG_INVALID')
    return new CliError(ExitCode.USAGE, error.code, error.message, { cause: error });
  const status = isKnownErrorCode(error.code) ? ERROR_CODES[error.code].httpStatus : 500;
  return new CliError(exitCodeForStatus(status), error.code, error.message, { cause: error });
}

/** Any thrown value as a CliError: ours as they are, the taxonomy's by status, anything else is a bug. */
export function toCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof MySpinBotError) return fromEngineError(error);
  const message = error instanceof Error ? error.message : String(error);
  return new CliError(ExitCode.INTERNAL, 'INTERNAL', `unexpected error: ${message}`, { cause: error });
}
