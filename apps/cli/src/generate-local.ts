/**
 * `generate` without --server: the embedded composition (API, control and data executors on the in-memory
 * bus) started in this process for one job, on a temporary folder for artifacts and history that is removed
 * afterwards. The files pass the same upload checks and limits as POST /api/train before the engine starts;
 * the job is created through the job service, followed through the event hub, and its video copied out of
 * the artifact store. The engine is stopped whatever the outcome.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '@myspinbot/config';
import { type AppConfig, MySpinBotError } from '@myspinbot/contracts';
import {
  type ControlProcess,
  type CreateJobRequest,
  inspectImage,
  inspectVoice,
  type JobDetail,
  startControlProcess,
  type Upload,
} from '@myspinbot/server';
import { writeAtomically } from './download.js';
import { CliError, ExitCode, fromEngineError } from './exit-codes.js';
import type { InputFile } from './inputs.js';
import { pickVideo, terminalError } from './job-view.js';
import { CANCEL_WAIT_MS, type GenerateResult, type RunContext } from './run-context.js';

/** The longest timer Node accepts: the hub's own wait is unbounded in effect; --timeout bounds the run. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The embedded role's configuration (files and environment as for `npm start`: engines, limits) with what
 * a one-job run needs on top: the in-memory bus whatever REDIS_URL says, a loopback port of the system's
 * choosing, no logs, the web UI off, artifacts and history in `dir`, and a short drain (a stopping CLI
 * run has no one to hand its work over to).
 */
function engineConfig(dir: string): AppConfig {
  return loadConfig({
    role: 'embedded',
    overrides: {
      server: { host: '127.0.0.1', port: 0 },
      bus: { kind: 'memory' },
      log: { level: 'silent' },
      web: { dir: '' },
      storage: { url: pathToFileURL(join(dir, 'artifacts')).href },
      history: { url: `sqlite:${join(dir, 'history.sqlite')}` },
      executor: { drainTimeoutMs: 3000 },
    },
  });
}

function tooLarge(what: string, size: number, limit: number, unit: string): CliError {
  return new CliError(
    ExitCode.INPUT_REJECTED,
    'INPUT_TOO_LARGE',
    `${what} is ${size} ${unit}; the limit is ${limit}`,
  );
}

/** An upload checked by content (inspect.ts, as the server does); its errors name the file. */
async function upload(
  file: InputFile,
  inspect: (bytes: Buffer) => Promise<Omit<Upload, 'bytes'>>,
): Promise<Upload> {
  try {
    const facts = await inspect(file.bytes);
    return { bytes: file.bytes, contentType: facts.contentType, extension: facts.extension };
  } catch (error) {
    if (!(error instanceof MySpinBotError)) throw error;
    const mapped = fromEngineError(error);
    throw new CliError(mapped.exitCode, mapped.code, `${file.path}: ${error.message}`, { cause: error });
  }
}

/** The request POST /api/train would have made of the same inputs, with the same limits. */
async function buildRequest(ctx: RunContext, limits: AppConfig['api']): Promise<CreateJobRequest> {
  const { inputs, options } = ctx;
  if (inputs.prompt.length > limits.maxPromptChars)
    throw tooLarge('the prompt', inputs.prompt.length, limits.maxPromptChars, 'characters');
  if (inputs.voiceText !== undefined && inputs.voiceText.length > limits.maxVoiceTextChars)
    throw tooLarge('--voice-text', inputs.voiceText.length, limits.maxVoiceTextChars, 'characters');
  if (inputs.image && inputs.image.bytes.length > limits.maxImageBytes)
    throw tooLarge(
      `the image ${inputs.image.path}`,
      inputs.image.bytes.length,
      limits.maxImageBytes,
      'bytes',
    );
  if (inputs.voice && inputs.voice.bytes.length > limits.maxVoiceBytes)
    throw tooLarge(
      `the voice sample ${inputs.voice.path}`,
      inputs.voice.bytes.length,
      limits.maxVoiceBytes,
      'bytes',
    );
  const request: CreateJobRequest = { prompt: inputs.prompt, options: options.options };
  if (inputs.voiceText !== undefined && inputs.voiceText.trim() !== '')
    request.voiceText = inputs.voiceText.trim();
  if (options.pipeline !== undefined) request.pipeline = options.pipeline;
  if (inputs.image) request.image = await upload(inputs.image, inspectImage);
  if (inputs.voice) request.voice = await upload(inputs.voice, async (bytes) => inspectVoice(bytes));
  return request;
}

/** Rejects with the signal's reason once it fires. */
function untilStopped<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolvePromise, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolvePromise, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Best effort: true when the cancellation was taken (or the job had already ended). */
async function cancelJob(proc: ControlProcess, jobId: string): Promise<boolean> {
  try {
    await proc.jobs.cancel(jobId, 'cancelled from the command line');
  } catch (error) {
    return error instanceof MySpinBotError && error.code === 'JOB_FINISHED';
  }
  await proc.hub.waitForTerminal(jobId, CANCEL_WAIT_MS);
  return true;
}

/**
 * Progress from the hub's events: each event causes one read of the job (one at a time; events meanwhile
 * cause one more read after it), and reads that finish after the job ended are not shown.
 */
async function followLocal(proc: ControlProcess, jobId: string, ctx: RunContext): Promise<JobDetail> {
  let ended = false;
  let reading = false;
  let again = false;
  const refresh = (): void => {
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    proc.jobs
      .get(jobId)
      .then((state) => {
        if (!ended) ctx.reporter.update(state);
      })
      // A failed read only skips one progress update; the terminal state is read again below.
      .catch(() => {})
      .finally(() => {
        reading = false;
        if (again && !ended) {
          again = false;
          refresh();
        }
      });
  };
  const off = proc.hub.on(jobId, refresh);
  refresh();
  try {
    const record = await untilStopped(proc.hub.waitForTerminal(jobId, MAX_TIMER_MS), ctx.signal);
    if (record === null) throw new CliError(ExitCode.UNAVAILABLE, 'TIMEOUT', `job ${jobId} did not end`);
  } catch (error) {
    if (ctx.signal.aborted) ctx.job.cancelled = await cancelJob(proc, jobId);
    throw error;
  } finally {
    ended = true;
    off();
  }
  const final = await proc.jobs.get(jobId);
  ctx.reporter.update(final);
  return final;
}

async function runJob(
  proc: ControlProcess,
  request: CreateJobRequest,
  ctx: RunContext,
): Promise<GenerateResult> {
  const accepted = await proc.jobs.create(request);
  const jobId = accepted.jobId;
  ctx.job.id = jobId;
  ctx.job.pipeline = accepted.pipeline;
  ctx.reporter.note(`job ${jobId} created in process (pipeline ${accepted.pipeline})`);
  const final = await followLocal(proc, jobId, ctx);
  const failure = terminalError(final);
  if (failure) throw failure;
  const video = pickVideo(final.artifacts);
  if (video === null) return { jobId, pipeline: accepted.pipeline, output: null, bytes: 0 };
  ctx.reporter.phase('copying the video');
  const target = resolve(ctx.options.output ?? `${jobId}.mp4`);
  const bytes = await writeAtomically(target, async (temporary) => {
    await proc.store.downloadTo(video.key, temporary);
  });
  return { jobId, pipeline: accepted.pipeline, output: target, bytes };
}

export async function generateLocal(ctx: RunContext): Promise<GenerateResult> {
  const dir = await mkdtemp(join(tmpdir(), 'myspinbot-cli-'));
  let proc: ControlProcess | null = null;
  try {
    const config = engineConfig(dir);
    const request = await buildRequest(ctx, config.api);
    ctx.reporter.phase('starting the engine');
    proc = await startControlProcess(config, { withDataPlane: true, role: 'cli' });
    ctx.signal.throwIfAborted();
    return await runJob(proc, request, ctx);
  } finally {
    await proc?.stop().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}
