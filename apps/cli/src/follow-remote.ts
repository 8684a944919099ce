/**
 * Following a job on a server until it ends: live over the WebSocket /ws (SUBSCRIBE, then every update the
 * server pushes, the terminal one included), and by polling GET /api/status/:id when the socket cannot be
 * opened, is refused, closes or goes silent longer than three heartbeats. Polling rides out short outages
 * (no answer, 429, 5xx) for OUTAGE_MS; any other error ends the run.
 */
import { setTimeout as delay } from 'node:timers/promises';
import WebSocket from 'ws';
import { type ApiClient, CALL_TIMEOUT_MS } from './api-client.js';
import { CliError, ExitCode } from './exit-codes.js';
import { type FollowedState, isTerminal, readJobState } from './job-view.js';
import { isRecord, messageOf } from './values.js';

export interface FollowOptions {
  /** Stops following (its reason is thrown). */
  signal: AbortSignal;
  onUpdate(state: FollowedState): void;
  onNote(message: string): void;
  pollIntervalMs?: number;
}

/** No message (heartbeats included, every 15 s by default) for this long: the socket is given up. */
const SILENCE_MS = 45_000;
const HANDSHAKE_MS = 10_000;
/** How long polling keeps trying through transient failures before the server counts as unreachable. */
const OUTAGE_MS = 30_000;

/** The socket cannot carry the updates; polling takes over. */
class SocketUnavailable extends Error {}

function followBySocket(api: ApiClient, jobId: string, options: FollowOptions): Promise<FollowedState> {
  return new Promise((resolve, reject) => {
    if (options.signal.aborted) {
      reject(options.signal.reason);
      return;
    }
    const socket = new WebSocket(api.socketUrl(), { headers: api.headers(), handshakeTimeout: HANDSHAKE_MS });
    let settled = false;
    let silence: NodeJS.Timeout | undefined;
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(silence);
      options.signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.terminate();
      settle();
    };
    const giveUp = (reason: string) => finish(() => reject(new SocketUnavailable(reason)));
    const watch = () => {
      clearTimeout(silence);
      silence = setTimeout(() => giveUp(`no message for ${SILENCE_MS / 1000} s`), SILENCE_MS);
    };
    const onAbort = () => finish(() => reject(options.signal.reason));
    options.signal.addEventListener('abort', onAbort, { once: true });

    socket.on('open', () => {
      watch();
      socket.send(JSON.stringify({ action: 'SUBSCRIBE', jobId }));
    });
    socket.on('message', (data, isBinary) => {
      watch();
      let message: unknown = null;
      try {
        message = isBinary ? null : JSON.parse(data.toString());
      } catch {
        message = null;
      }
      if (!isRecord(message)) return giveUp('the server sent a message that is not JSON');
      if (message.type === 'update' && message.jobId === jobId) {
        let state: FollowedState;
        try {
          state = readJobState(message, 'update');
        } catch (error) {
          return giveUp(messageOf(error));
        }
        options.onUpdate(state);
        if (isTerminal(state)) finish(() => resolve(state));
        return;
      }
      if (message.type === 'error') {
        const error = isRecord(message.error) ? message.error : {};
        giveUp(`${String(error.code ?? 'ERROR')}: ${String(error.message ?? 'no message')}`);
      }
    });
    socket.on('unexpected-response', (_request, response) => {
      response.resume();
      giveUp(`the upgrade was refused with HTTP ${response.statusCode ?? '?'}`);
    });
    socket.on('error', (error) => giveUp(error.message));
    socket.on('close', () => giveUp('the socket closed'));
  });
}

async function pause(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch {
    throw signal.reason;
  }
}

async function followByPolling(
  api: ApiClient,
  jobId: string,
  options: FollowOptions,
): Promise<FollowedState> {
  const interval = options.pollIntervalMs ?? 1000;
  let lastAnswer = Date.now();
  for (;;) {
    try {
      const body = await api.json(`api/status/${encodeURIComponent(jobId)}`, {
        signal: options.signal,
        timeoutMs: CALL_TIMEOUT_MS,
      });
      const state = readJobState(body, 'job status');
      lastAnswer = Date.now();
      options.onUpdate(state);
      if (isTerminal(state)) return state;
    } catch (error) {
      if (options.signal.aborted) throw options.signal.reason;
      const transient = error instanceof CliError && error.exitCode === ExitCode.UNAVAILABLE;
      if (!transient || Date.now() - lastAnswer > OUTAGE_MS) throw error;
    }
    await pause(interval, options.signal);
  }
}

/** Resolves with the job's terminal state (completed, failed or cancelled). */
export async function followJob(
  api: ApiClient,
  jobId: string,
  options: FollowOptions,
): Promise<FollowedState> {
  try {
    return await followBySocket(api, jobId, options);
  } catch (error) {
    if (!(error instanceof SocketUnavailable)) throw error;
    options.onNote(`live updates unavailable (${error.message}); polling the job status`);
    return followByPolling(api, jobId, options);
  }
}
