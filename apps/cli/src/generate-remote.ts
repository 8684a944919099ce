/**
 * `generate --server URL`: POST /api/train (multipart, the server checks every part), follow the job
 * (follow-remote.ts), then GET the final video from the job's artifacts into --output. A run stopped while
 * the job runs (Ctrl-C, --timeout) asks the server to cancel the job before it ends.
 */
import { resolve } from 'node:path';
import { ApiClient, CALL_TIMEOUT_MS } from './api-client.js';
import { saveResponse } from './download.js';
import { CliError, ExitCode } from './exit-codes.js';
import { followJob } from './follow-remote.js';
import type { FollowedState } from './job-view.js';
import { pickVideo, readArtifacts, terminalError } from './job-view.js';
import { CANCEL_WAIT_MS, type GenerateResult, type RunContext } from './run-context.js';
import { isRecord } from './values.js';

function trainForm({ options, inputs }: RunContext): FormData {
  const form = new FormData();
  form.set('prompt', inputs.prompt);
  if (inputs.voiceText !== undefined) form.set('voiceText', inputs.voiceText);
  if (options.pipeline !== undefined) form.set('pipeline', options.pipeline);
  if (Object.keys(options.options).length > 0) form.set('options', JSON.stringify(options.options));
  if (inputs.image) form.set('image', new Blob([inputs.image.bytes]), inputs.image.name);
  if (inputs.voice) form.set('voice', new Blob([inputs.voice.bytes]), inputs.voice.name);
  return form;
}

/** The 202 answer of POST /api/train: {jobId, status, pipeline}. */
function readAccepted(body: unknown): { jobId: string; pipeline: string } {
  const { jobId, pipeline } = isRecord(body) ? body : {};
  if (typeof jobId !== 'string' || jobId === '')
    throw new CliError(ExitCode.UNAVAILABLE, 'BAD_RESPONSE', 'POST /api/train answered without a job id');
  return { jobId, pipeline: typeof pipeline === 'string' ? pipeline : 'unknown' };
}

/** Best effort: true when the server took the cancellation (or the job had already ended). */
async function cancelJob(api: ApiClient, jobId: string): Promise<boolean> {
  try {
    await api.request(`api/jobs/${encodeURIComponent(jobId)}/cancel`, {
      method: 'POST',
      timeoutMs: CANCEL_WAIT_MS,
    });
    return true;
  } catch (error) {
    return error instanceof CliError && error.code === 'JOB_FINISHED';
  }
}

export async function generateRemote(ctx: RunContext, server: URL): Promise<GenerateResult> {
  const { options, reporter, signal } = ctx;
  const api = new ApiClient(server, options.apiKey);
  reporter.phase('uploading');
  const accepted = readAccepted(
    await api.json('api/train', { method: 'POST', body: trainForm(ctx), signal }),
  );
  const jobId = accepted.jobId;
  ctx.job.id = jobId;
  ctx.job.pipeline = accepted.pipeline;
  reporter.note(`job ${jobId} accepted by ${api.origin} (pipeline ${accepted.pipeline})`);

  let final: FollowedState;
  try {
    final = await followJob(api, jobId, {
      signal,
      onUpdate: (state) => reporter.update(state),
      onNote: (message) => reporter.note(message),
    });
  } catch (error) {
    if (signal.aborted) ctx.job.cancelled = await cancelJob(api, jobId);
    throw error;
  }
  const failure = terminalError(final);
  if (failure) throw failure;

  const details = await api.json(`api/jobs/${encodeURIComponent(jobId)}`, {
    signal,
    timeoutMs: CALL_TIMEOUT_MS,
  });
  const video = pickVideo(readArtifacts(details));
  if (video === null) return { jobId, pipeline: accepted.pipeline, output: null, bytes: 0 };
  reporter.phase('downloading the video');
  const target = resolve(options.output ?? `${jobId}.mp4`);
  // Artifacts are fetched from --server itself, not from the URL the server advertises (its public URL
  // may name a host this machine cannot reach).
  const response = await api.request(
    `api/jobs/${encodeURIComponent(jobId)}/artifacts/${encodeURIComponent(video.nodeId)}/${encodeURIComponent(video.name)}`,
    { signal },
  );
  const bytes = await saveResponse(response, target, { expectedSize: video.size, signal });
  return { jobId, pipeline: accepted.pipeline, output: target, bytes };
}
