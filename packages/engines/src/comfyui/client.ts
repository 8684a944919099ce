/**
 * A client for one ComfyUI server, speaking the protocol of ComfyUI's server.py:
 *   GET  /system_stats                      ping, GPU names
 *   POST /upload/image (multipart `image`)  -> {name, subfolder, type}; audio and video go the same way
 *   POST /prompt {prompt, client_id}        -> {prompt_id, number, node_errors}; 400 {error, node_errors}
 *   GET  /ws?clientId=...                   events of the prompts queued with that client_id
 *   GET  /history/<prompt_id>               -> {<prompt_id>: {outputs, status}} once the prompt is done
 *   GET  /view?filename=&subfolder=&type=   file bytes
 *   POST /queue {delete: [id]}, POST /interrupt {prompt_id}
 *
 * Following a prompt:
 * - ComfyUI sends a prompt's events only to the socket registered under the prompt's client_id when the
 *   event happens, and a new socket with the same id replaces the old; so `run` opens the socket before
 *   queueing, and each concurrent run should use its own client (the renderers make one per call);
 * - completion is `executing` with node null for the prompt, sent after the history entry is written
 *   (`execution_success` comes before the entry exists, so it only reports progress);
 * - whenever a socket is (re)attached, and whenever it has been quiet for idleCheckMs, /history is read,
 *   so events missed while no socket was attached cost at most that long;
 * - a dropped socket is reopened once; if it cannot be (re)opened, or drops again, /history is polled
 *   every pollIntervalMs (three failed polls in a row give up with ENGINE_UNAVAILABLE);
 * - when the caller's signal aborts or the wait's deadline passes, the prompt is removed from the queue
 *   and interrupted (best effort) before NODE_CANCELLED / ENGINE_UNAVAILABLE is thrown.
 */
import { randomUUID } from 'node:crypto';
import { MySpinBotError } from '@myspinbot/contracts';
import { normaliseBaseUrl } from '../http/base-url.js';
import type { EngineCallOptions } from '../types.js';
import { abortError, combineSignals, deadlineSignal, executionFailure, throwIfAborted } from './errors.js';
import { type ComfyResponse, comfyRequest, jsonBody, rejected, safeUrl } from './http.js';
import { mediaTypeFor } from './media-types.js';
import { ComfyProgressTracker } from './progress.js';
import { ComfySocket } from './socket.js';
import type {
  ComfyFileRef,
  ComfyHistoryEntry,
  ComfyHistoryStatus,
  ComfyMessage,
  ComfyNodeError,
  ComfyOutputKind,
  ComfyQueuedPrompt,
  ComfySystemStats,
  ComfyUploadKind,
  ComfyWorkflow,
} from './types.js';

export interface ComfyClientOptions {
  /** ComfyUI's root URL, e.g. "http://gpu-box:8188"; user:password in it becomes HTTP basic auth. */
  baseUrl: string;
  /** Deadline of each HTTP request and of the socket handshake, ms. Default 60 000. */
  timeoutMs?: number;
  /** The client_id prompts are queued under and the socket listens as. Default: a random id. */
  clientId?: string;
  /** Interval of /history polls when no socket is available, ms. Default 1000. */
  pollIntervalMs?: number;
  /** Socket heartbeat (ping) interval, ms. Default 15 000. */
  heartbeatMs?: number;
  /** A socket quiet for this long triggers a /history read, ms. Default 10 000. */
  idleCheckMs?: number;
}

export interface ComfyRequestCallOptions {
  signal?: AbortSignal | undefined;
}

export interface ComfyUploadOptions extends ComfyRequestCallOptions {
  /** Replace a file of the same name instead of letting ComfyUI pick a new name. Default false. */
  overwrite?: boolean;
  subfolder?: string;
}

export interface ComfyFollowOptions extends EngineCallOptions {
  /** The queued workflow: its node count weighs progress, its node types label messages. */
  workflow?: ComfyWorkflow;
  /** Deadline of the whole wait, ms; on expiry the prompt is cancelled and ENGINE_UNAVAILABLE thrown. */
  timeoutMs?: number;
}

export interface ComfyRunOptions extends ComfyFollowOptions {
  /** Fail (NODE_INPUT_INVALID) right after queueing when ComfyUI's node_errors keep this node from running. */
  outputNode?: string;
}

export interface ComfyRunResult {
  promptId: string;
  history: ComfyHistoryEntry;
}

const MAX_FAILED_POLLS = 3;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new MySpinBotError('CONFIG_INVALID', `ComfyUI client: ${name} must be a positive number of ms`, {
      details: { [name]: value },
    });
  }
  return value;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted === true) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      if (signal !== undefined) reject(abortError(signal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function parseNodeErrors(value: unknown): Record<string, ComfyNodeError> {
  const out: Record<string, ComfyNodeError> = {};
  if (!isRecord(value)) return out;
  for (const [node, raw] of Object.entries(value)) {
    if (!isRecord(raw)) continue;
    const errors = Array.isArray(raw.errors) ? raw.errors.filter(isRecord) : [];
    const entry: ComfyNodeError = { errors: errors as ComfyNodeError['errors'] };
    if (Array.isArray(raw.dependent_outputs)) {
      entry.dependent_outputs = raw.dependent_outputs.filter((id): id is string => typeof id === 'string');
    }
    if (typeof raw.class_type === 'string') entry.class_type = raw.class_type;
    out[node] = entry;
  }
  return out;
}

/** One line per node: "node 10 (LoadImage): Custom validation failed for node: image - Invalid image file". */
export function describeNodeErrors(nodeErrors: Record<string, ComfyNodeError>): string {
  return Object.entries(nodeErrors)
    .map(([node, entry]) => {
      const reasons = entry.errors
        .map((error) =>
          [error.message, error.details].filter((part) => part !== undefined && part !== '').join(': '),
        )
        .filter((reason) => reason !== '')
        .join('; ');
      return `node ${node}${entry.class_type === undefined ? '' : ` (${entry.class_type})`}: ${reasons || 'invalid'}`;
    })
    .join('; ');
}

function parseStatus(value: unknown): ComfyHistoryStatus | null {
  if (!isRecord(value)) return null;
  const messages: Array<[string, Record<string, unknown>]> = [];
  if (Array.isArray(value.messages)) {
    for (const item of value.messages) {
      if (Array.isArray(item) && typeof item[0] === 'string')
        messages.push([item[0], isRecord(item[1]) ? item[1] : {}]);
    }
  }
  return {
    statusStr: typeof value.status_str === 'string' ? value.status_str : 'success',
    completed: value.completed === true,
    messages,
  };
}

function parseHistoryEntry(promptId: string, value: unknown): ComfyHistoryEntry {
  const outputs: Record<string, Record<string, unknown>> = {};
  if (isRecord(value) && isRecord(value.outputs)) {
    for (const [node, output] of Object.entries(value.outputs)) if (isRecord(output)) outputs[node] = output;
  }
  return { promptId, outputs, status: isRecord(value) ? parseStatus(value.status) : null };
}

/** The files node `node` listed under `kind` in a finished prompt's outputs (empty when none). */
export function comfyOutputFiles(
  entry: ComfyHistoryEntry,
  node: string,
  kind: ComfyOutputKind,
): ComfyFileRef[] {
  const list = entry.outputs[node]?.[kind];
  if (!Array.isArray(list)) return [];
  return list.filter(isRecord).flatMap((item) =>
    typeof item.filename === 'string' && item.filename !== ''
      ? [
          {
            filename: item.filename,
            subfolder: typeof item.subfolder === 'string' ? item.subfolder : '',
            type: typeof item.type === 'string' && item.type !== '' ? item.type : 'output',
          },
        ]
      : [],
  );
}

/** What a finished history entry means: the entry itself, or the failure its status records. */
function settle(entry: ComfyHistoryEntry): ComfyHistoryEntry {
  if (entry.status === null || entry.status.statusStr !== 'error') return entry;
  for (const [type, data] of entry.status.messages) {
    if (type === 'execution_error' || type === 'execution_interrupted') {
      throw executionFailure(type, data, entry.promptId);
    }
  }
  throw new MySpinBotError('SERVICE_FAILED', `ComfyUI reports prompt ${entry.promptId} as failed`, {
    details: { promptId: entry.promptId },
  });
}

/** Mutable state of one follow: what the events said so far. */
interface FollowState {
  promptId: string;
  tracker: ComfyProgressTracker;
  workflow: ComfyWorkflow | undefined;
  started: boolean;
}

type Step = { outcome: 'continue' | 'finished' | 'check'; message?: string };

function nodeLabel(state: FollowState, node: string): string {
  const type = state.workflow?.[node]?.class_type;
  return type === undefined ? `node ${node}` : `node ${node} (${type})`;
}

/**
 * Applies one socket message to the follow. Messages for another prompt are ignored; messages without a
 * prompt_id (older ComfyUI, and the resent "executing" after a reconnect) belong to the followed prompt,
 * since its client id is used for nothing else.
 */
function applyMessage(message: ComfyMessage, state: FollowState): Step {
  const { data } = message;
  const promptId = typeof data.prompt_id === 'string' ? data.prompt_id : null;
  if (promptId !== null && promptId !== state.promptId) return { outcome: 'continue' };
  const ours = promptId === state.promptId;
  switch (message.type) {
    case 'status': {
      if (state.started) return { outcome: 'continue' };
      const status = isRecord(data.status) ? data.status : {};
      const info = isRecord(status.exec_info) ? status.exec_info : {};
      const remaining = typeof info.queue_remaining === 'number' ? info.queue_remaining : null;
      return {
        outcome: 'continue',
        message:
          remaining === null
            ? 'Queued on ComfyUI'
            : `Queued on ComfyUI (${remaining} prompt(s) queued or running)`,
      };
    }
    case 'execution_start':
      state.started = true;
      return { outcome: 'continue', message: 'ComfyUI started the workflow' };
    case 'execution_cached': {
      state.started = true;
      const nodes = Array.isArray(data.nodes)
        ? data.nodes.filter((n): n is string => typeof n === 'string')
        : [];
      state.tracker.cached(nodes);
      return {
        outcome: 'continue',
        message: nodes.length > 0 ? `${nodes.length} node(s) cached` : undefined,
      };
    }
    case 'executing': {
      const node = data.node;
      if (typeof node === 'string') {
        state.started = true;
        state.tracker.executing(node);
        return { outcome: 'continue', message: `Running ${nodeLabel(state, node)}` };
      }
      if (ours) {
        state.tracker.finished();
        return { outcome: 'finished', message: 'ComfyUI run complete' };
      }
      // Without a prompt_id (older ComfyUI) the end may be another prompt's: /history decides.
      return { outcome: 'check' };
    }
    case 'progress': {
      const node = typeof data.node === 'string' ? data.node : state.tracker.currentNode;
      const value = typeof data.value === 'number' ? data.value : 0;
      const max = typeof data.max === 'number' ? data.max : 0;
      state.started = true;
      state.tracker.progress(node, value, max);
      return {
        outcome: 'continue',
        message: `${node === null ? 'Running' : nodeLabel(state, node)}: ${value}/${max}`,
      };
    }
    case 'executed':
      if (typeof data.node === 'string') state.tracker.executed(data.node);
      return { outcome: 'continue' };
    case 'execution_success':
      // ComfyUI sends this before it writes the history entry; `executing` null follows once it is written.
      if (!ours) return { outcome: 'continue' };
      state.tracker.finished();
      return { outcome: 'continue', message: 'ComfyUI finished the workflow' };
    case 'execution_error':
    case 'execution_interrupted':
      throw executionFailure(message.type, data, state.promptId);
    default:
      return { outcome: 'continue' };
  }
}

export class ComfyClient {
  /** The server root as it may be shown (no credentials). */
  readonly url: string;
  readonly clientId: string;
  private readonly root: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly pollIntervalMs: number;
  private readonly heartbeatMs: number;
  private readonly idleCheckMs: number;

  constructor(options: ComfyClientOptions) {
    const parsed = new URL(normaliseBaseUrl(options.baseUrl, 'ComfyUI'));
    if (parsed.search !== '' || parsed.hash !== '') {
      throw new MySpinBotError('CONFIG_INVALID', 'ComfyUI: baseUrl must not have a query or fragment', {
        details: { url: safeUrl(options.baseUrl) },
      });
    }
    this.headers = {};
    if (parsed.username !== '' || parsed.password !== '') {
      const user = decodeURIComponent(parsed.username);
      const password = decodeURIComponent(parsed.password);
      this.headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
      parsed.username = '';
      parsed.password = '';
    }
    this.root = parsed.toString().replace(/\/+$/, '');
    this.url = this.root;
    this.clientId = options.clientId ?? randomUUID().replaceAll('-', '');
    if (this.clientId === '')
      throw new MySpinBotError('CONFIG_INVALID', 'ComfyUI: clientId must not be empty');
    this.timeoutMs = positive(options.timeoutMs, 60_000, 'timeoutMs');
    this.pollIntervalMs = positive(options.pollIntervalMs, 1000, 'pollIntervalMs');
    this.heartbeatMs = positive(options.heartbeatMs, 15_000, 'heartbeatMs');
    this.idleCheckMs = positive(options.idleCheckMs, 10_000, 'idleCheckMs');
  }

  private request(
    path: string,
    init: { method: 'GET' | 'POST'; body?: string | FormData; contentType?: string },
    signal: AbortSignal | undefined,
  ): Promise<ComfyResponse> {
    return comfyRequest(`${this.root}${path}`, init, {
      timeoutMs: this.timeoutMs,
      signal,
      headers: this.headers,
    });
  }

  private postJson(path: string, body: unknown, signal: AbortSignal | undefined): Promise<ComfyResponse> {
    return this.request(
      path,
      { method: 'POST', body: JSON.stringify(body), contentType: 'application/json' },
      signal,
    );
  }

  /** Reads /system_stats: proves the server answers and tells its version and devices. */
  async ping(options: ComfyRequestCallOptions = {}): Promise<ComfySystemStats> {
    const response = await this.request('/system_stats', { method: 'GET' }, options.signal);
    if (!response.ok) throw rejected(response, 'ComfyUI ping');
    const body = jsonBody(response, 'ComfyUI ping');
    const system = isRecord(body) && isRecord(body.system) ? body.system : {};
    const devices = isRecord(body) && Array.isArray(body.devices) ? body.devices.filter(isRecord) : [];
    return {
      comfyuiVersion: typeof system.comfyui_version === 'string' ? system.comfyui_version : null,
      devices: devices.map((device) => ({
        name: typeof device.name === 'string' ? device.name : 'unknown',
        type: typeof device.type === 'string' ? device.type : 'unknown',
        vramTotal: typeof device.vram_total === 'number' ? device.vram_total : null,
        vramFree: typeof device.vram_free === 'number' ? device.vram_free : null,
      })),
    };
  }

  /**
   * Uploads a file into ComfyUI's input folder. ComfyUI may store it under another name (it renames
   * rather than replaces a different file of the same name), so the returned name is the one to use.
   */
  async uploadFile(
    bytes: Uint8Array,
    filename: string,
    kind: ComfyUploadKind,
    options: ComfyUploadOptions = {},
  ): Promise<ComfyFileRef> {
    if (filename === '' || /[/\\]/.test(filename) || filename === '.' || filename === '..') {
      throw new MySpinBotError(
        'NODE_INPUT_INVALID',
        `ComfyUI upload: "${filename}" is not a plain file name`,
      );
    }
    const fallback = { image: 'image/png', audio: 'audio/wav', video: 'video/mp4' }[kind];
    const form = new FormData();
    form.set(
      'image',
      new Blob([new Uint8Array(bytes)], { type: mediaTypeFor(filename, fallback) }),
      filename,
    );
    form.set('type', 'input');
    if (options.subfolder !== undefined && options.subfolder !== '') form.set('subfolder', options.subfolder);
    if (options.overwrite === true) form.set('overwrite', 'true');
    const response = await this.request('/upload/image', { method: 'POST', body: form }, options.signal);
    if (!response.ok) throw rejected(response, `ComfyUI upload of ${kind} "${filename}"`);
    const body = jsonBody(response, 'ComfyUI upload');
    if (!isRecord(body) || typeof body.name !== 'string' || body.name === '') {
      throw new MySpinBotError('ENGINE_UNAVAILABLE', 'ComfyUI upload: the answer has no file name', {
        retryable: false,
        details: { url: response.url },
      });
    }
    return {
      filename: body.name,
      subfolder: typeof body.subfolder === 'string' ? body.subfolder : '',
      type: typeof body.type === 'string' ? body.type : 'input',
    };
  }

  /** Queues an API-format workflow under this client's id. A workflow ComfyUI rejects is NODE_INPUT_INVALID. */
  async queuePrompt(
    workflow: ComfyWorkflow,
    options: ComfyRequestCallOptions = {},
  ): Promise<ComfyQueuedPrompt> {
    const response = await this.postJson(
      '/prompt',
      { prompt: workflow, client_id: this.clientId },
      options.signal,
    );
    if (response.status === 400) {
      let body: unknown = null;
      try {
        body = JSON.parse(response.body.toString('utf8'));
      } catch {
        throw rejected(response, 'ComfyUI /prompt');
      }
      const record = isRecord(body) ? body : {};
      const error = record.error;
      const nodeErrors = parseNodeErrors(record.node_errors);
      const headline = isRecord(error)
        ? [error.message, error.details].filter((part) => typeof part === 'string' && part !== '').join(': ')
        : typeof error === 'string'
          ? error
          : 'invalid prompt';
      const perNode = describeNodeErrors(nodeErrors);
      throw new MySpinBotError(
        'NODE_INPUT_INVALID',
        `ComfyUI rejected the workflow: ${headline}${perNode === '' ? '' : ` (${perNode})`}`,
        { details: { status: 400, error: error ?? null, node_errors: record.node_errors ?? {} } },
      );
    }
    if (!response.ok) throw rejected(response, 'ComfyUI /prompt');
    const body = jsonBody(response, 'ComfyUI /prompt');
    if (!isRecord(body) || typeof body.prompt_id !== 'string' || body.prompt_id === '') {
      throw new MySpinBotError('ENGINE_UNAVAILABLE', 'ComfyUI /prompt: the answer has no prompt_id', {
        retryable: false,
        details: { url: response.url },
      });
    }
    return {
      promptId: body.prompt_id,
      number: typeof body.number === 'number' ? body.number : 0,
      nodeErrors: parseNodeErrors(body.node_errors),
    };
  }

  /** The history entry of a prompt, or null while it is queued or running (or unknown). */
  async history(promptId: string, options: ComfyRequestCallOptions = {}): Promise<ComfyHistoryEntry | null> {
    const response = await this.request(
      `/history/${encodeURIComponent(promptId)}`,
      { method: 'GET' },
      options.signal,
    );
    if (!response.ok) throw rejected(response, 'ComfyUI /history');
    const body = jsonBody(response, 'ComfyUI /history');
    if (!isRecord(body) || !Object.hasOwn(body, promptId)) return null;
    return parseHistoryEntry(promptId, body[promptId]);
  }

  /** Downloads a file ComfyUI listed (an output, or an upload). */
  async view(ref: ComfyFileRef, options: ComfyRequestCallOptions = {}): Promise<Buffer> {
    const query = new URLSearchParams({ filename: ref.filename, subfolder: ref.subfolder, type: ref.type });
    const response = await this.request(`/view?${query.toString()}`, { method: 'GET' }, options.signal);
    if (response.status === 404) {
      throw new MySpinBotError(
        'SERVICE_FAILED',
        `ComfyUI has no file "${ref.filename}" in ${ref.type}/${ref.subfolder} although it listed it`,
        { details: { ...ref } },
      );
    }
    if (!response.ok) throw rejected(response, 'ComfyUI /view');
    return response.body;
  }

  /**
   * Interrupts the running prompt. With a prompt id, ComfyUI versions that know targeted interrupts stop
   * only that prompt; older ones ignore the body and stop whatever runs.
   */
  async interrupt(promptId?: string, options: ComfyRequestCallOptions = {}): Promise<void> {
    const response = await this.postJson(
      '/interrupt',
      promptId === undefined ? {} : { prompt_id: promptId },
      options.signal,
    );
    if (!response.ok) throw rejected(response, 'ComfyUI /interrupt');
  }

  /** Removes a prompt from the queue if it is still waiting, and interrupts it if it is running. */
  async cancel(promptId: string, options: ComfyRequestCallOptions = {}): Promise<void> {
    const response = await this.postJson('/queue', { delete: [promptId] }, options.signal);
    if (!response.ok) throw rejected(response, 'ComfyUI /queue');
    await this.interrupt(promptId, options);
  }

  /** Best effort: the run is already given up on, so failing to reach ComfyUI does not change the outcome. */
  private async cancelQuietly(promptId: string): Promise<void> {
    try {
      await this.cancel(promptId);
    } catch {
      // Nothing more to do: the caller's error says why the run stopped.
    }
  }

  private socketUrl(): string {
    const url = new URL(`${this.root}/ws`);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('clientId', this.clientId);
    return url.toString();
  }

  /** The event socket, or null when it cannot be opened (the follow then polls /history). */
  private async tryOpenSocket(signal: AbortSignal | undefined): Promise<ComfySocket | null> {
    try {
      return await ComfySocket.open(this.socketUrl(), {
        headers: this.headers,
        timeoutMs: this.timeoutMs,
        heartbeatMs: this.heartbeatMs,
        signal,
      });
    } catch (error) {
      if (signal?.aborted === true) throw abortError(signal);
      if (error instanceof MySpinBotError && error.code === 'ENGINE_UNAVAILABLE') return null;
      throw error;
    }
  }

  /** The settled entry when the prompt is done, else null; a failed read counts as "not yet". */
  private async finishedEntry(
    promptId: string,
    signal: AbortSignal | undefined,
  ): Promise<ComfyHistoryEntry | null> {
    let entry: ComfyHistoryEntry | null;
    try {
      entry = await this.history(promptId, { signal });
    } catch (error) {
      if (signal?.aborted === true) throw abortError(signal);
      if (error instanceof MySpinBotError && error.retryable) return null;
      throw error;
    }
    return entry === null ? null : settle(entry);
  }

  private async pollHistory(promptId: string, signal: AbortSignal | undefined): Promise<ComfyHistoryEntry> {
    let failures = 0;
    for (;;) {
      let entry: ComfyHistoryEntry | null = null;
      try {
        entry = await this.history(promptId, { signal });
        failures = 0;
      } catch (error) {
        if (signal?.aborted === true) throw abortError(signal);
        failures += 1;
        if (!(error instanceof MySpinBotError) || !error.retryable || failures >= MAX_FAILED_POLLS)
          throw error;
      }
      // Outside the try: a failure the entry records is the outcome, not a failed poll to retry.
      if (entry !== null) return settle(entry);
      await sleep(this.pollIntervalMs, signal);
    }
  }

  /** Waits until a queued prompt is done and returns its history entry (see the rules at the top). */
  async follow(promptId: string, options: ComfyFollowOptions = {}): Promise<ComfyHistoryEntry> {
    throwIfAborted(options.signal);
    const socket = await this.tryOpenSocket(options.signal);
    return this.watch(promptId, socket, options);
  }

  /** Opens the event socket, queues the workflow and follows it to the end. */
  async run(workflow: ComfyWorkflow, options: ComfyRunOptions = {}): Promise<ComfyRunResult> {
    throwIfAborted(options.signal);
    const socket = await this.tryOpenSocket(options.signal);
    let queued: ComfyQueuedPrompt;
    try {
      queued = await this.queuePrompt(workflow, { signal: options.signal });
    } catch (error) {
      socket?.close();
      throw error;
    }
    const outputNode = options.outputNode;
    if (outputNode !== undefined) {
      const blocking = Object.fromEntries(
        Object.entries(queued.nodeErrors).filter(([node, entry]) =>
          node === outputNode ? true : (entry.dependent_outputs ?? []).includes(outputNode),
        ),
      );
      if (Object.keys(blocking).length > 0) {
        socket?.close();
        await this.cancelQuietly(queued.promptId);
        throw new MySpinBotError(
          'NODE_INPUT_INVALID',
          `ComfyUI will not run output node ${outputNode}: ${describeNodeErrors(blocking)}`,
          { details: { promptId: queued.promptId, node_errors: blocking } },
        );
      }
    }
    const history = await this.watch(queued.promptId, socket, { ...options, workflow });
    return { promptId: queued.promptId, history };
  }

  private async watch(
    promptId: string,
    first: ComfySocket | null,
    options: ComfyFollowOptions,
  ): Promise<ComfyHistoryEntry> {
    const deadline =
      options.timeoutMs === undefined
        ? undefined
        : deadlineSignal(options.timeoutMs, `ComfyUI prompt ${promptId}`);
    const stop = combineSignals(options.signal, deadline?.signal);
    const state: FollowState = {
      promptId,
      tracker: new ComfyProgressTracker(options.workflow === undefined ? [] : Object.keys(options.workflow)),
      workflow: options.workflow,
      started: false,
    };
    const report = (message: string | undefined) => options.onProgress?.(state.tracker.fraction(), message);
    let socket = first;
    let reconnects = 1;
    try {
      if (socket === null) report('Following ComfyUI by polling /history (no event socket)');
      else {
        const entry = await this.finishedEntry(promptId, stop);
        if (entry !== null) return entry;
      }
      for (;;) {
        if (socket === null) return await this.pollHistory(promptId, stop);
        const event = await socket.next(stop, this.idleCheckMs);
        if (event.kind === 'message') {
          const step = applyMessage(event.message, state);
          if (step.message !== undefined) report(step.message);
          if (step.outcome === 'finished') return await this.pollHistory(promptId, stop);
          if (step.outcome === 'continue') continue;
        } else if (event.kind === 'closed') {
          socket.close();
          socket = null;
          if (reconnects === 0) {
            report(`ComfyUI's event socket dropped again (${event.reason}); polling /history`);
            continue;
          }
          reconnects -= 1;
          socket = await this.tryOpenSocket(stop);
          if (socket === null) {
            report(
              `ComfyUI's event socket dropped (${event.reason}) and could not be reopened; polling /history`,
            );
            continue;
          }
        }
        const entry = await this.finishedEntry(promptId, stop);
        if (entry !== null) return entry;
      }
    } catch (error) {
      if (stop?.aborted === true) {
        await this.cancelQuietly(promptId);
        throw abortError(stop);
      }
      throw error;
    } finally {
      deadline?.clear();
      socket?.close();
    }
  }
}
