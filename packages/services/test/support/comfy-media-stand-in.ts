/**
 * A small local stand-in for a ComfyUI server whose output node writes REAL media, made with the bundled
 * ffmpeg from the uploaded portrait and narration, for service-level tests of render_video_comfyui.
 * It speaks the parts of ComfyUI's protocol the adapter uses: POST /upload/image (multipart `image`),
 * POST /prompt, GET /ws?clientId= (status, execution_start, executing, progress, executed,
 * execution_success / execution_interrupted, then `executing` null), GET /history/<id>, GET /view,
 * POST /queue {delete}, POST /interrupt.
 *
 * What the output node writes depends on its class: VHS_VideoCombine an H.264 + AAC MP4 (listed under
 * `gifs`), SaveImage a PNG (listed under `images`). With `corruptVideo` the MP4 is random bytes instead.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { runMediaTool } from '@myspinbot/engines/media';
import { type WebSocket, WebSocketServer } from 'ws';

export interface MediaStandInOptions {
  /** Size and length of the video the output node writes. */
  width: number;
  height: number;
  durationS: number;
  /** Progress messages per executed node, and the pause before each, ms. */
  progressSteps: number;
  stepDelayMs: number;
  /** Write random bytes instead of an MP4 (still named .mp4). */
  corruptVideo: boolean;
}

export type StandInWorkflow = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

export interface MediaStandIn {
  url: string;
  uploads: Array<{ name: string; bytes: Buffer }>;
  prompts: Array<{ promptId: string; prompt: StandInWorkflow }>;
  interrupts: Array<{ promptId: string | null }>;
  /** Resolves once no prompt is running. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const DEFAULTS: MediaStandInOptions = {
  width: 256,
  height: 320,
  durationS: 2,
  progressSteps: 3,
  stepDelayMs: 2,
  corruptVideo: false,
};

const LOADERS: Record<string, string> = { LoadImage: 'image', LoadAudio: 'audio' };

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export async function startMediaStandIn(overrides: Partial<MediaStandInOptions> = {}): Promise<MediaStandIn> {
  const options = { ...DEFAULTS, ...overrides };
  const work = await mkdtemp(join(tmpdir(), 'comfy-media-stand-in-'));
  const inputs = new Map<string, Buffer>();
  const outputs = new Map<string, { bytes: Buffer; contentType: string }>();
  const history = new Map<string, Record<string, unknown>>();
  const sockets = new Map<string, WebSocket>();
  let running: Promise<void> | null = null;
  let runningId: string | null = null;
  let interruptRequested = false;
  let closed = false;
  let counter = 0;

  const handle: MediaStandIn = {
    url: '',
    uploads: [],
    prompts: [],
    interrupts: [],
    idle: async () => {
      while (running !== null) await running;
    },
    close: async () => undefined,
  };

  const send = (clientId: string, type: string, data: Record<string, unknown>) => {
    const socket = sockets.get(clientId);
    if (socket !== undefined && socket.readyState === socket.OPEN)
      socket.send(JSON.stringify({ type, data }));
  };

  /** The bytes the loader node of `classType` was given (via the file name it names). */
  const loaded = (prompt: StandInWorkflow, classType: string): Buffer => {
    const node = Object.values(prompt).find((n) => n.class_type === classType);
    const value = node?.inputs[LOADERS[classType] ?? ''];
    const bytes = typeof value === 'string' ? inputs.get(value) : undefined;
    if (bytes === undefined) throw new Error(`${classType}: no uploaded file ${String(value)}`);
    return bytes;
  };

  /** Writes the output node's file; returns its UI output (the file list under its kind). */
  const writeOutput = async (
    prompt: StandInWorkflow,
    classType: string,
  ): Promise<Record<string, unknown>> => {
    counter += 1;
    const dir = await mkdtemp(join(work, 'run-'));
    const image = join(dir, 'portrait');
    await writeFile(image, loaded(prompt, 'LoadImage'));
    if (classType === 'SaveImage') {
      const filename = `myspinbot_${String(counter).padStart(5, '0')}_.png`;
      const out = join(dir, filename);
      await runMediaTool('ffmpeg', ['-hide_banner', '-nostdin', '-y', '-i', image, '-frames:v', '1', out]);
      outputs.set(filename, { bytes: await readFile(out), contentType: 'image/png' });
      return { images: [{ filename, subfolder: '', type: 'output' }] };
    }
    const filename = `myspinbot_${String(counter).padStart(5, '0')}.mp4`;
    if (options.corruptVideo) {
      outputs.set(filename, { bytes: randomBytes(4096), contentType: 'video/mp4' });
    } else {
      const audio = join(dir, 'narration.wav');
      await writeFile(audio, loaded(prompt, 'LoadAudio'));
      const out = join(dir, filename);
      const { width, height, durationS } = options;
      // ffmpeg -loop 1 -i portrait -i narration.wav: 2 s of the still portrait with the narration, H.264 + AAC.
      await runMediaTool('ffmpeg', [
        '-hide_banner',
        '-nostdin',
        '-y',
        '-loop',
        '1',
        '-framerate',
        '25',
        '-i',
        image,
        '-i',
        audio,
        '-t',
        String(durationS),
        '-vf',
        `scale=${width}:${height},format=yuv420p`,
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-c:a',
        'aac',
        '-b:a',
        '64k',
        '-movflags',
        '+faststart',
        out,
      ]);
      outputs.set(filename, { bytes: await readFile(out), contentType: 'video/mp4' });
    }
    return { gifs: [{ filename, subfolder: '', type: 'output', format: 'video/h264-mp4' }] };
  };

  const execute = async (promptId: string, clientId: string, prompt: StandInWorkflow) => {
    const messages: Array<[string, Record<string, unknown>]> = [];
    const emit = (type: string, data: Record<string, unknown>, record = true) => {
      if (record) messages.push([type, data]);
      send(clientId, type, data);
    };
    const nodeOutputs: Record<string, Record<string, unknown>> = {};
    const executed: string[] = [];
    let failed = false;
    emit('execution_start', { prompt_id: promptId, timestamp: Date.now() });
    emit('execution_cached', { nodes: [], prompt_id: promptId, timestamp: Date.now() });
    run: for (const [node, spec] of Object.entries(prompt)) {
      emit('executing', { node, display_node: node, prompt_id: promptId }, false);
      for (let step = 1; step <= options.progressSteps; step++) {
        await delay(options.stepDelayMs);
        if (closed) return;
        if (interruptRequested) {
          emit('execution_interrupted', {
            prompt_id: promptId,
            node_id: node,
            node_type: spec.class_type,
            executed: [...executed],
            timestamp: Date.now(),
          });
          failed = true;
          break run;
        }
        emit('progress', { value: step, max: options.progressSteps, prompt_id: promptId, node }, false);
      }
      executed.push(node);
      if (spec.class_type === 'VHS_VideoCombine' || spec.class_type === 'SaveImage') {
        const ui = await writeOutput(prompt, spec.class_type);
        nodeOutputs[node] = ui;
        emit('executed', { node, display_node: node, output: ui, prompt_id: promptId }, false);
      }
    }
    if (!failed) emit('execution_success', { prompt_id: promptId, timestamp: Date.now() });
    history.set(promptId, {
      prompt: [0, promptId, prompt, { client_id: clientId }, []],
      outputs: nodeOutputs,
      status: { status_str: failed ? 'error' : 'success', completed: !failed, messages },
      meta: {},
    });
    emit('executing', { node: null, prompt_id: promptId }, false);
  };

  const json = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };

  const route = async (request: IncomingMessage, body: Buffer, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const method = request.method ?? 'GET';
    if (method === 'POST' && url.pathname === '/upload/image') {
      const form = await new Request('http://stand-in/upload/image', {
        method: 'POST',
        headers: { 'content-type': request.headers['content-type'] ?? '' },
        body,
      }).formData();
      const file = form.get('image');
      if (!(file instanceof File)) return json(response, 400, { error: 'no image' });
      const bytes = Buffer.from(await file.arrayBuffer());
      inputs.set(file.name, bytes);
      handle.uploads.push({ name: file.name, bytes });
      return json(response, 200, { name: file.name, subfolder: '', type: 'input' });
    }
    if (method === 'POST' && url.pathname === '/prompt') {
      const parsed = JSON.parse(body.toString('utf8')) as { prompt: StandInWorkflow; client_id?: string };
      const promptId = randomUUID();
      handle.prompts.push({ promptId, prompt: parsed.prompt });
      runningId = promptId;
      interruptRequested = false;
      running = execute(promptId, parsed.client_id ?? '', parsed.prompt).finally(() => {
        running = null;
        runningId = null;
      });
      return json(response, 200, { prompt_id: promptId, number: handle.prompts.length, node_errors: {} });
    }
    if (method === 'GET' && url.pathname.startsWith('/history/')) {
      const id = decodeURIComponent(url.pathname.slice('/history/'.length));
      const entry = history.get(id);
      return json(response, 200, entry === undefined ? {} : { [id]: entry });
    }
    if (method === 'GET' && url.pathname === '/view') {
      const stored = outputs.get(url.searchParams.get('filename') ?? '');
      if (stored === undefined) return response.writeHead(404).end();
      response.writeHead(200, { 'content-type': stored.contentType });
      return response.end(stored.bytes);
    }
    if (method === 'POST' && url.pathname === '/interrupt') {
      const parsed: unknown = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
      const promptId = isRecord(parsed) && typeof parsed.prompt_id === 'string' ? parsed.prompt_id : null;
      handle.interrupts.push({ promptId });
      if (runningId !== null && (promptId === null || promptId === runningId)) interruptRequested = true;
      return response.writeHead(200).end();
    }
    if (method === 'POST' && url.pathname === '/queue') return response.writeHead(200).end();
    return response.writeHead(404).end();
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
    if (url.pathname !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const sid = url.searchParams.get('clientId') || randomUUID();
      sockets.set(sid, ws);
      ws.on('close', () => {
        if (sockets.get(sid) === ws) sockets.delete(sid);
      });
      ws.send(
        JSON.stringify({ type: 'status', data: { status: { exec_info: { queue_remaining: 0 } }, sid } }),
      );
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  handle.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  handle.close = async () => {
    closed = true;
    await handle.idle();
    for (const socket of sockets.values()) socket.terminate();
    wss.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(work, { recursive: true, force: true });
  };
  return handle;
}
