/**
 * A local stand-in for a ComfyUI server, speaking the HTTP + WebSocket protocol of ComfyUI's server.py with
 * in-memory state, so the adapter can be tested without a GPU:
 *   GET  /system_stats, POST /upload/image (multipart `image`, `type`, `subfolder`, `overwrite`),
 *   POST /prompt, GET /history/<id>, GET /view, POST /interrupt, POST /queue {delete}, GET /ws?clientId=
 *
 * It behaves like ComfyUI where the adapter depends on it:
 * - uploads without overwrite keep the name when the bytes are identical, else get "name (1).ext";
 * - /prompt validates loader nodes (LoadImage, LoadAudio, ...) against the uploaded files and answers 400
 *   {error, node_errors} when no output can run, or 200 with node_errors when only some outputs can;
 * - prompts run one at a time, only the nodes that feed a valid output, in dependency order; events go to
 *   the socket registered under the prompt's client_id (a new socket with the same id replaces the old),
 *   with binary preview frames between progress messages;
 * - execution_success is sent before the history entry is written, `executing` null after it;
 * - a reconnecting socket gets `status`, then `executing` with the current node (no prompt_id).
 * Output nodes write a file whose bytes name the prompt, the node, the SHA-256 of every loaded upload and
 * the literal inputs of every executed node (parseStandInOutput reads it back).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';

export interface StandInBehaviour {
  /** Pause before each progress message, ms. */
  stepDelayMs: number;
  /** Progress messages per executed node. */
  progressSteps: number;
  /** Raise an execution_error when this node runs. */
  failAtNode: { node: string; exceptionType: string; message: string } | null;
  /** Answer requests whose path starts with one of `paths` with `status`. */
  httpFailure: { status: number; paths: string[] } | null;
  /** Answer requests whose path starts with one of `paths` only after `delayMs`. */
  slowHttp: { delayMs: number; paths: string[] } | null;
  /** Terminate the prompt's socket after this many progress messages (counted again after each drop). */
  dropSocketAfterProgress: number | null;
  /** How many times the socket is dropped. */
  dropSocketTimes: number;
  /** Refuse every WebSocket upgrade (HTTP 403). */
  refuseWebSocket: boolean;
  /** Refuse WebSocket upgrades once a socket was dropped. */
  refuseWebSocketAfterDrop: boolean;
}

export interface ReceivedUpload {
  /** The name the file was stored under. */
  name: string;
  /** The name the client sent. */
  originalName: string;
  subfolder: string;
  type: string;
  overwrite: boolean;
  contentType: string;
  bytes: Buffer;
}

export type StandInWorkflow = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

export interface ReceivedPrompt {
  promptId: string;
  clientId: string | null;
  prompt: StandInWorkflow;
}

export interface ComfyStandIn {
  url: string;
  behaviour: StandInBehaviour;
  uploads: ReceivedUpload[];
  prompts: ReceivedPrompt[];
  interrupts: Array<{ promptId: string | null }>;
  queueDeletes: string[];
  requests: Array<{ method: string; path: string; authorization: string | null }>;
  socketsOpened: number;
  socketsDropped: number;
  /** Resolves once no prompt is running or queued. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface StandInOutput {
  promptId: string;
  node: string;
  classType: string;
  loaded: Array<{ node: string; classType: string; file: string; sha256: string }>;
  inputs: Record<string, Record<string, unknown>>;
}

const OUTPUT_HEADER = 'MYSPINBOT COMFYUI STAND-IN OUTPUT\n';

/** Output node classes: the key their files are listed under, the extension, extra UI keys. */
const OUTPUT_CLASSES: Record<string, { kind: string; extension: string; extra?: Record<string, unknown> }> = {
  SaveImage: { kind: 'images', extension: 'png' },
  PreviewImage: { kind: 'images', extension: 'png' },
  SaveVideo: { kind: 'images', extension: 'mp4', extra: { animated: [true] } },
  VHS_VideoCombine: { kind: 'gifs', extension: 'mp4' },
  SaveAudio: { kind: 'audio', extension: 'flac' },
};

/** Loader node classes and the input that names an uploaded file. */
const LOADERS: Record<string, string> = {
  LoadImage: 'image',
  LoadImageMask: 'image',
  LoadAudio: 'audio',
  VHS_LoadAudioUpload: 'audio',
};

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Reads back the file an output node of the stand-in wrote. */
export function parseStandInOutput(bytes: Uint8Array): StandInOutput {
  const text = Buffer.from(bytes).toString('utf8');
  if (!text.startsWith(OUTPUT_HEADER)) throw new Error('not a stand-in output file');
  return JSON.parse(text.slice(OUTPUT_HEADER.length)) as StandInOutput;
}

export const DEFAULT_BEHAVIOUR: StandInBehaviour = {
  stepDelayMs: 2,
  progressSteps: 4,
  failAtNode: null,
  httpFailure: null,
  slowHttp: null,
  dropSocketAfterProgress: null,
  dropSocketTimes: 1,
  refuseWebSocket: false,
  refuseWebSocketAfterDrop: false,
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface Pending {
  promptId: string;
  number: number;
  clientId: string | null;
  prompt: StandInWorkflow;
  outputs: string[];
}

interface StoredFile {
  bytes: Buffer;
  contentType: string;
}

function fileKey(type: string, subfolder: string, name: string): string {
  return `${type}/${subfolder}/${name}`;
}

/** The upstream node ids of `node` (via link inputs), including itself, in dependency order. */
function dependencyOrder(prompt: StandInWorkflow, roots: readonly string[]): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    const node = prompt[id];
    if (node === undefined) return;
    for (const value of Object.values(node.inputs)) {
      if (Array.isArray(value) && typeof value[0] === 'string') visit(value[0]);
    }
    order.push(id);
  };
  for (const root of roots) visit(root);
  return order;
}

export async function startComfyStandIn(overrides: Partial<StandInBehaviour> = {}): Promise<ComfyStandIn> {
  const behaviour: StandInBehaviour = { ...DEFAULT_BEHAVIOUR, ...overrides };
  const files = new Map<string, StoredFile>();
  const history = new Map<string, Record<string, unknown>>();
  const sockets = new Map<string, WebSocket>();
  const queue: Pending[] = [];
  let running: Pending | null = null;
  let lastNode: string | null = null;
  let interruptRequested = false;
  let closed = false;
  let number = 0;
  let outputCounter = 0;
  let dropsLeft = behaviour.dropSocketTimes;
  let idleWaiters: Array<() => void> = [];

  const handle: ComfyStandIn = {
    url: '',
    behaviour,
    uploads: [],
    prompts: [],
    interrupts: [],
    queueDeletes: [],
    requests: [],
    socketsOpened: 0,
    socketsDropped: 0,
    idle: () =>
      running === null && queue.length === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => idleWaiters.push(resolve)),
    close: async () => undefined,
  };

  const send = (clientId: string | null, type: string, data: Record<string, unknown>) => {
    if (clientId === null) return;
    const socket = sockets.get(clientId);
    if (socket !== undefined && socket.readyState === socket.OPEN)
      socket.send(JSON.stringify({ type, data }));
  };

  const queueInfo = () => ({ exec_info: { queue_remaining: queue.length + (running === null ? 0 : 1) } });

  const writeOutput = (job: Pending, node: string, executed: readonly string[]): Record<string, unknown> => {
    const spec = OUTPUT_CLASSES[job.prompt[node]?.class_type ?? ''];
    if (spec === undefined) return {};
    const loaded: StandInOutput['loaded'] = [];
    const inputs: StandInOutput['inputs'] = {};
    for (const id of executed) {
      const current = job.prompt[id];
      if (current === undefined) continue;
      inputs[id] = Object.fromEntries(
        Object.entries(current.inputs).filter(([, value]) => !Array.isArray(value)),
      );
      const input = LOADERS[current.class_type];
      const value = input === undefined ? undefined : current.inputs[input];
      if (typeof value === 'string') {
        const slash = value.lastIndexOf('/');
        const stored = files.get(
          fileKey('input', slash < 0 ? '' : value.slice(0, slash), value.slice(slash + 1)),
        );
        if (stored !== undefined)
          loaded.push({ node: id, classType: current.class_type, file: value, sha256: sha256(stored.bytes) });
      }
    }
    const output: StandInOutput = {
      promptId: job.promptId,
      node,
      classType: job.prompt[node]?.class_type ?? '',
      loaded,
      inputs,
    };
    outputCounter += 1;
    const prefix = job.prompt[node]?.inputs.filename_prefix;
    const filename = `${typeof prefix === 'string' ? prefix : 'ComfyUI'}_${String(outputCounter).padStart(5, '0')}_.${spec.extension}`;
    files.set(fileKey('output', '', filename), {
      bytes: Buffer.from(OUTPUT_HEADER + JSON.stringify(output)),
      contentType: 'application/octet-stream',
    });
    return { [spec.kind]: [{ filename, subfolder: '', type: 'output' }], ...spec.extra };
  };

  const maybeDrop = (job: Pending, progressCount: number): number => {
    if (behaviour.dropSocketAfterProgress === null || dropsLeft <= 0) return progressCount;
    if (progressCount < behaviour.dropSocketAfterProgress || job.clientId === null) return progressCount;
    const socket = sockets.get(job.clientId);
    if (socket === undefined) return progressCount;
    dropsLeft -= 1;
    handle.socketsDropped += 1;
    sockets.delete(job.clientId);
    socket.terminate();
    return 0;
  };

  const execute = async (job: Pending) => {
    const order = dependencyOrder(job.prompt, job.outputs);
    const messages: Array<[string, Record<string, unknown>]> = [];
    const emit = (type: string, data: Record<string, unknown>, record = true) => {
      if (record) messages.push([type, data]);
      send(job.clientId, type, data);
    };
    const outputs: Record<string, Record<string, unknown>> = {};
    const executed: string[] = [];
    let progressCount = 0;
    let failure: 'error' | 'interrupted' | null = null;
    emit('execution_start', { prompt_id: job.promptId, timestamp: Date.now() });
    emit('execution_cached', { nodes: [], prompt_id: job.promptId, timestamp: Date.now() });
    const interrupted = (node: string) => {
      emit('execution_interrupted', {
        prompt_id: job.promptId,
        node_id: node,
        node_type: job.prompt[node]?.class_type ?? '',
        executed: [...executed],
        timestamp: Date.now(),
      });
      failure = 'interrupted';
    };
    run: for (const node of order) {
      if (interruptRequested) {
        interrupted(node);
        break;
      }
      lastNode = node;
      emit('executing', { node, display_node: node, prompt_id: job.promptId }, false);
      const fail = behaviour.failAtNode;
      if (fail !== null && fail.node === node) {
        emit('execution_error', {
          prompt_id: job.promptId,
          node_id: node,
          node_type: job.prompt[node]?.class_type ?? '',
          executed: [...executed],
          exception_message: fail.message,
          exception_type: fail.exceptionType,
          traceback: [
            '  File "execution.py", line 1, in execute\n',
            `${fail.exceptionType}: ${fail.message}\n`,
          ],
          current_inputs: {},
          current_outputs: {},
          timestamp: Date.now(),
        });
        failure = 'error';
        break;
      }
      for (let step = 1; step <= behaviour.progressSteps; step++) {
        await delay(behaviour.stepDelayMs);
        // A closed stand-in stops running prompts silently, as a killed server would.
        if (closed) return;
        if (interruptRequested) {
          interrupted(node);
          break run;
        }
        emit('progress', { value: step, max: behaviour.progressSteps, prompt_id: job.promptId, node }, false);
        if (job.clientId !== null) {
          // A binary preview frame (event type 1 = PREVIEW_IMAGE, then image type 2 = PNG), as ComfyUI sends.
          sockets.get(job.clientId)?.send(Buffer.from([0, 0, 0, 1, 0, 0, 0, 2, 0x89, 0x50, 0x4e, 0x47]));
        }
        progressCount = maybeDrop(job, progressCount + 1);
      }
      executed.push(node);
      const ui = writeOutput(job, node, executed);
      if (Object.keys(ui).length > 0) {
        outputs[node] = ui;
        emit('executed', { node, display_node: node, output: ui, prompt_id: job.promptId }, false);
      }
    }
    if (failure === null) emit('execution_success', { prompt_id: job.promptId, timestamp: Date.now() });
    // ComfyUI writes the history entry after execution_success and before `executing` null.
    await delay(5);
    history.set(job.promptId, {
      prompt: [job.number, job.promptId, job.prompt, { client_id: job.clientId }, job.outputs],
      outputs,
      status: { status_str: failure === null ? 'success' : 'error', completed: failure === null, messages },
      meta: {},
    });
    lastNode = null;
    interruptRequested = false;
    send(job.clientId, 'executing', { node: null, prompt_id: job.promptId });
  };

  const drain = async () => {
    if (running !== null) return;
    for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
      running = job;
      await execute(job);
      running = null;
    }
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  const json = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };

  const upload = async (request: IncomingMessage, body: Buffer, response: ServerResponse) => {
    const form = await new Request('http://stand-in/upload/image', {
      method: 'POST',
      headers: { 'content-type': request.headers['content-type'] ?? '' },
      body,
    }).formData();
    const image = form.get('image');
    if (!(image instanceof File) || image.name === '') {
      response.writeHead(400).end();
      return;
    }
    const typeField = form.get('type');
    const type = typeof typeField === 'string' && typeField !== '' ? typeField : 'input';
    const subfolderField = form.get('subfolder');
    const subfolder = typeof subfolderField === 'string' ? subfolderField : '';
    const overwrite = form.get('overwrite') === 'true' || form.get('overwrite') === '1';
    const bytes = Buffer.from(await image.arrayBuffer());
    const dot = image.name.lastIndexOf('.');
    const stem = dot > 0 ? image.name.slice(0, dot) : image.name;
    const extension = dot > 0 ? image.name.slice(dot) : '';
    let name = image.name;
    for (let i = 1; !overwrite; i++) {
      const existing = files.get(fileKey(type, subfolder, name));
      if (existing === undefined || existing.bytes.equals(bytes)) break;
      name = `${stem} (${i})${extension}`;
    }
    files.set(fileKey(type, subfolder, name), { bytes, contentType: image.type });
    handle.uploads.push({
      name,
      originalName: image.name,
      subfolder,
      type,
      overwrite,
      contentType: image.type,
      bytes,
    });
    json(response, 200, { name, subfolder, type });
  };

  const validationError = (type: string, message: string, details = '') => ({
    type,
    message,
    details,
    extra_info: {},
  });

  const prompt = (body: Buffer, response: ServerResponse) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      json(response, 400, { error: validationError('invalid_json', 'Invalid JSON'), node_errors: {} });
      return;
    }
    if (!isRecord(parsed) || !isRecord(parsed.prompt)) {
      json(response, 400, { error: validationError('no_prompt', 'No prompt provided'), node_errors: {} });
      return;
    }
    const workflow: StandInWorkflow = {};
    for (const [id, node] of Object.entries(parsed.prompt)) {
      if (!isRecord(node) || typeof node.class_type !== 'string' || !isRecord(node.inputs)) {
        json(response, 400, {
          error: validationError(
            'invalid_prompt',
            `Cannot execute because node ${id} is missing the class_type property.`,
          ),
          node_errors: {},
        });
        return;
      }
      workflow[id] = { class_type: node.class_type, inputs: node.inputs };
    }
    const outputs = Object.keys(workflow).filter(
      (id) => OUTPUT_CLASSES[workflow[id]?.class_type ?? ''] !== undefined,
    );
    if (outputs.length === 0) {
      json(response, 400, {
        error: validationError('prompt_no_outputs', 'Prompt has no outputs'),
        node_errors: [],
      });
      return;
    }
    const nodeErrors: Record<string, { errors: unknown[]; dependent_outputs: string[]; class_type: string }> =
      {};
    for (const [id, node] of Object.entries(workflow)) {
      const input = LOADERS[node.class_type];
      if (input === undefined) continue;
      const value = node.inputs[input];
      const name = typeof value === 'string' ? value : '';
      const slash = name.lastIndexOf('/');
      if (files.has(fileKey('input', slash < 0 ? '' : name.slice(0, slash), name.slice(slash + 1)))) continue;
      nodeErrors[id] = {
        errors: [
          {
            type: 'custom_validation_failed',
            message: 'Custom validation failed for node',
            details: `${input} - Invalid ${input} file: ${String(value)}`,
            extra_info: { input_name: input },
          },
        ],
        dependent_outputs: outputs.filter((output) => dependencyOrder(workflow, [output]).includes(id)),
        class_type: node.class_type,
      };
    }
    const good = outputs.filter(
      (output) => !dependencyOrder(workflow, [output]).some((id) => nodeErrors[id]),
    );
    if (good.length === 0) {
      const details = Object.values(nodeErrors)
        .flatMap((entry) => entry.errors)
        .map((error) => (isRecord(error) ? `${String(error.message)}: ${String(error.details)}` : ''))
        .join('\n');
      json(response, 400, {
        error: validationError(
          'prompt_outputs_failed_validation',
          'Prompt outputs failed validation',
          details,
        ),
        node_errors: nodeErrors,
      });
      return;
    }
    const promptId = randomUUID();
    const clientId = typeof parsed.client_id === 'string' ? parsed.client_id : null;
    const job: Pending = { promptId, number, clientId, prompt: workflow, outputs: good };
    number += 1;
    handle.prompts.push({ promptId, clientId, prompt: workflow });
    queue.push(job);
    send(clientId, 'status', { status: queueInfo() });
    json(response, 200, { prompt_id: promptId, number: job.number, node_errors: nodeErrors });
    void drain();
  };

  const route = async (request: IncomingMessage, body: Buffer, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const method = request.method ?? 'GET';
    handle.requests.push({
      method,
      path: url.pathname,
      authorization: request.headers.authorization ?? null,
    });
    const failure = behaviour.httpFailure;
    if (failure?.paths.some((path) => url.pathname.startsWith(path))) {
      response.writeHead(failure.status, { 'content-type': 'text/plain' });
      response.end('500: Internal Server Error');
      return;
    }
    const slow = behaviour.slowHttp;
    if (slow?.paths.some((path) => url.pathname.startsWith(path))) await delay(slow.delayMs);
    if (method === 'GET' && url.pathname === '/system_stats') {
      json(response, 200, {
        system: {
          os: 'posix',
          comfyui_version: '0.3.99-stand-in',
          python_version: '3.12.0',
          embedded_python: false,
        },
        devices: [
          {
            name: 'cuda:0 Stand-in GPU',
            type: 'cuda',
            index: 0,
            vram_total: 25_769_803_776,
            vram_free: 21_474_836_480,
          },
        ],
      });
    } else if (method === 'POST' && url.pathname === '/upload/image') {
      await upload(request, body, response);
    } else if (method === 'POST' && url.pathname === '/prompt') {
      prompt(body, response);
    } else if (method === 'GET' && url.pathname.startsWith('/history/')) {
      const id = decodeURIComponent(url.pathname.slice('/history/'.length));
      const entry = history.get(id);
      json(response, 200, entry === undefined ? {} : { [id]: entry });
    } else if (method === 'GET' && url.pathname === '/view') {
      const filename = url.searchParams.get('filename') ?? '';
      const type = url.searchParams.get('type') ?? 'output';
      const stored = files.get(fileKey(type, url.searchParams.get('subfolder') ?? '', filename));
      if (stored === undefined || filename.includes('..') || filename.startsWith('/')) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, {
        'content-type': stored.contentType,
        'content-disposition': `filename="${filename}"`,
      });
      response.end(stored.bytes);
    } else if (method === 'POST' && url.pathname === '/interrupt') {
      let promptId: string | null = null;
      try {
        const parsed: unknown = JSON.parse(body.toString('utf8'));
        if (isRecord(parsed) && typeof parsed.prompt_id === 'string') promptId = parsed.prompt_id;
      } catch {
        // No body: a global interrupt.
      }
      handle.interrupts.push({ promptId });
      if (running !== null && (promptId === null || promptId === running.promptId)) interruptRequested = true;
      response.writeHead(200).end();
    } else if (method === 'POST' && url.pathname === '/queue') {
      const parsed: unknown = JSON.parse(body.toString('utf8'));
      if (isRecord(parsed) && Array.isArray(parsed.delete)) {
        for (const id of parsed.delete) {
          if (typeof id !== 'string') continue;
          handle.queueDeletes.push(id);
          const index = queue.findIndex((job) => job.promptId === id);
          if (index >= 0) queue.splice(index, 1);
        }
      }
      response.writeHead(200).end();
    } else {
      response.writeHead(404).end();
    }
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      route(request, Buffer.concat(chunks), response).catch((error: unknown) => {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(error instanceof Error ? error.message : String(error));
      });
    });
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const refuse =
      behaviour.refuseWebSocket || (behaviour.refuseWebSocketAfterDrop && handle.socketsDropped > 0);
    if (url.pathname !== '/ws' || refuse) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const sid = url.searchParams.get('clientId') || randomUUID().replaceAll('-', '');
      sockets.set(sid, ws);
      handle.socketsOpened += 1;
      ws.on('close', () => {
        if (sockets.get(sid) === ws) sockets.delete(sid);
      });
      ws.send(JSON.stringify({ type: 'status', data: { status: queueInfo(), sid } }));
      if (running !== null && running.clientId === sid && lastNode !== null) {
        ws.send(JSON.stringify({ type: 'executing', data: { node: lastNode } }));
      }
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  handle.url = `http://127.0.0.1:${port}`;
  handle.close = () =>
    new Promise<void>((resolve) => {
      closed = true;
      for (const socket of sockets.values()) socket.terminate();
      wss.close();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return handle;
}
