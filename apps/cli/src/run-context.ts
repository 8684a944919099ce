/**
 * What one `generate` run shares between its parts: the options, the files read, the progress reporter,
 * the signal that stops it (Ctrl-C or --timeout; its reason is the CliError to exit with) and the job, once
 * the engine has accepted it (so a stop can cancel it and the final report can name it).
 */
import type { GenerateOptions } from './args.js';
import type { GenerateInputs } from './inputs.js';
import type { Reporter } from './progress.js';

export interface JobRef {
  id?: string;
  pipeline?: string;
  /** Set when a stopped run asked for the job's cancellation: whether the engine took it. */
  cancelled?: boolean;
}

export interface RunContext {
  options: GenerateOptions;
  inputs: GenerateInputs;
  reporter: Reporter;
  signal: AbortSignal;
  job: JobRef;
}

export interface GenerateResult {
  jobId: string;
  pipeline: string;
  /** Absolute path of the video written, or null when the pipeline made none. */
  output: string | null;
  bytes: number;
}

/** How long a stopped run waits for its job's cancellation to be acknowledged. */
export const CANCEL_WAIT_MS = 5_000;
