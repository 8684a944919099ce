/**
 * `myspinbot generate`: arguments -> files -> one job (on --server, or in process) -> the video in
 * --output. Exit codes as in exit-codes.ts. Ctrl-C (or SIGTERM) and --timeout stop the run through one
 * signal: the job is cancelled and the run exits 130 (interrupted) or 6 (timed out); a second Ctrl-C exits
 * 130 at once. Output: the video's path on stdout (or one JSON line with --json, on failure too), the rest
 * on stderr.
 */
import { parseGenerateArgs } from './args.js';
import { checkOutputTarget } from './download.js';
import { environmentDefaults } from './env.js';
import { CliError, ExitCode, toCliError } from './exit-codes.js';
import { generateRemote } from './generate-remote.js';
import { GENERATE_HELP } from './help.js';
import { readInputs } from './inputs.js';
import { errorLine, stderrLine, stdoutLine } from './output.js';
import { createReporter } from './progress.js';
import type { GenerateResult, JobRef, RunContext } from './run-context.js';

/** Ctrl-C and SIGTERM stop the run (first signal) or the process (second signal). */
function stopOnSignals(controller: AbortController): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(ExitCode.INTERRUPTED);
    controller.abort(new CliError(ExitCode.INTERRUPTED, 'INTERRUPTED', `interrupted (${signal})`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

function stopAfter(controller: AbortController, ms: number): () => void {
  if (ms <= 0) return () => {};
  const timer = setTimeout(() => {
    controller.abort(
      new CliError(ExitCode.UNAVAILABLE, 'TIMEOUT', `no result within --timeout ${ms / 1000} s`),
    );
  }, ms);
  return () => clearTimeout(timer);
}

/** A stopped run's message says what became of its job. */
function withJobFate(error: CliError, job: JobRef): CliError {
  if (job.id === undefined || job.cancelled === undefined) return error;
  const fate = job.cancelled ? `job ${job.id} cancelled` : `job ${job.id} could not be cancelled`;
  return new CliError(error.exitCode, error.code, `${error.message}; ${fate}`, { cause: error });
}

/** The in-process engine is loaded only when used: its modules take seconds to load. */
async function generateInProcess(ctx: RunContext): Promise<GenerateResult> {
  ctx.reporter.phase('loading the engine');
  const { generateLocal } = await import('./generate-local.js');
  return generateLocal(ctx);
}

interface JsonReport {
  ok: boolean;
  exitCode: number;
  jobId: string | null;
  pipeline: string | null;
  output: string | null;
  bytes: number;
  elapsedMs: number;
  error?: { code: string; message: string; nodeId?: string };
}

export async function generateCommand(args: readonly string[]): Promise<number> {
  const options = parseGenerateArgs(args, environmentDefaults());
  if (options.help) {
    await stdoutLine(GENERATE_HELP);
    return ExitCode.OK;
  }
  const started = Date.now();
  const job: JobRef = {};
  const reporter = createReporter({ quiet: options.quiet });
  const controller = new AbortController();
  const releaseSignals = stopOnSignals(controller);
  const releaseTimer = stopAfter(controller, options.timeoutMs);
  let result: GenerateResult | null = null;
  let failure: CliError | null = null;
  try {
    await checkOutputTarget(options.output);
    const inputs = await readInputs(options);
    const ctx: RunContext = { options, inputs, reporter, signal: controller.signal, job };
    result = options.server ? await generateRemote(ctx, options.server) : await generateInProcess(ctx);
  } catch (error) {
    failure = withJobFate(toCliError(error), job);
  } finally {
    releaseTimer();
    releaseSignals();
    reporter.stop();
  }

  const report: JsonReport = {
    ok: failure === null,
    exitCode: failure?.exitCode ?? ExitCode.OK,
    jobId: result?.jobId ?? job.id ?? null,
    pipeline: result?.pipeline ?? job.pipeline ?? null,
    output: result?.output ?? null,
    bytes: result?.bytes ?? 0,
    elapsedMs: Date.now() - started,
  };
  if (failure) {
    report.error = {
      code: failure.code,
      message: failure.message,
      ...(failure.nodeId ? { nodeId: failure.nodeId } : {}),
    };
    await stderrLine(errorLine(failure));
    if (options.json) await stdoutLine(JSON.stringify(report));
    return failure.exitCode;
  }
  if (!options.quiet) {
    const seconds = (report.elapsedMs / 1000).toFixed(1);
    await stderrLine(
      report.output === null
        ? `job ${report.jobId} completed in ${seconds} s; pipeline ${report.pipeline} made no video`
        : `job ${report.jobId} completed in ${seconds} s: ${report.output} (${report.bytes} bytes)`,
    );
  }
  if (options.json) await stdoutLine(JSON.stringify(report));
  else if (report.output !== null) await stdoutLine(report.output);
  return ExitCode.OK;
}
