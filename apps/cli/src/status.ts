/**
 * `myspinbot status <jobId>`: one GET /api/status/:id. The exit code tells the job's outcome so far: 0
 * queued, running or completed; 4 failed; 5 cancelled (and the usual codes when the server refuses or is
 * not there).
 */
import { ApiClient, CALL_TIMEOUT_MS } from './api-client.js';
import { parseStatusArgs } from './args.js';
import { environmentDefaults } from './env.js';
import { ExitCode } from './exit-codes.js';
import { STATUS_HELP } from './help.js';
import { type FollowedState, readJobState, stepLabel, terminalError } from './job-view.js';
import { errorLine, stderrLine, stdoutLine } from './output.js';

/** `<jobId> <pipeline> <status> <percent>%`, then the running step or the place in the queue. */
function summary(state: FollowedState): string {
  const head = [state.jobId, state.pipeline ?? '', state.status, `${Math.round(state.progress * 100)}%`];
  const detail = state.status === 'running' || state.status === 'queued' ? stepLabel(state) : '';
  return [...head, detail === state.status ? '' : detail].filter((part) => part !== '').join(' ');
}

export async function statusCommand(args: readonly string[]): Promise<number> {
  const options = parseStatusArgs(args, environmentDefaults());
  if (options.help) {
    await stdoutLine(STATUS_HELP);
    return ExitCode.OK;
  }
  const api = new ApiClient(options.server, options.apiKey);
  const body = await api.json(`api/status/${encodeURIComponent(options.jobId)}`, {
    timeoutMs: CALL_TIMEOUT_MS,
  });
  const state = readJobState(body, 'job status');
  const outcome = terminalError(state);
  await stdoutLine(options.json ? JSON.stringify(state) : summary(state));
  if (outcome) await stderrLine(errorLine(outcome));
  return outcome?.exitCode ?? ExitCode.OK;
}
