import type { AddressInfo } from 'node:net';
import { MySpinBotError } from '@myspinbot/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { ComfyClient, comfyOutputFiles } from '../src/comfyui/client.js';
import { ComfySocket } from '../src/comfyui/socket.js';
import { injectWorkflow } from '../src/comfyui/workflow.js';
import {
  isMonotonic,
  NARRATION_WAV,
  PORTRAIT,
  progressLog,
  talkingSpec,
  talkingWorkflow,
  upscaleSpec,
  upscaleWorkflow,
} from './comfyui-fixtures.js';
import {
  type ComfyStandIn,
  parseStandInOutput,
  type StandInBehaviour,
  sha256,
  startComfyStandIn,
} from './support/comfyui-stand-in.js';

const standIns: ComfyStandIn[] = [];

afterEach(async () => {
  await Promise.all(standIns.splice(0).map((standIn) => standIn.close()));
});

async function standIn(behaviour: Partial<StandInBehaviour> = {}): Promise<ComfyStandIn> {
  const started = await startComfyStandIn(behaviour);
  standIns.push(started);
  return started;
}

/** A URL where nothing listens: a stand-in's port after it closed. */
async function deadUrl(): Promise<string> {
  const started = await startComfyStandIn();
  await started.close();
  return started.url;
}

async function rejection(promise: Promise<unknown>): Promise<MySpinBotError> {
  const error = await promise.then(
    () => new Error('expected a MySpinBotError, the call succeeded'),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(MySpinBotError);
  return error as MySpinBotError;
}

/** Uploads the fixtures and returns the talking workflow with their names injected. */
async function preparedTalkingWorkflow(client: ComfyClient) {
  const image = await client.uploadFile(PORTRAIT, 'portrait.png', 'image');
  const audio = await client.uploadFile(NARRATION_WAV, 'narration.wav', 'audio');
  return injectWorkflow(talkingWorkflow(), talkingSpec(), {
    image: image.filename,
    audio: audio.filename,
    text: 'Hello from the client test',
    seed: 99,
  });
}

describe('ComfyClient against the stand-in', () => {
  it('pings /system_stats and reports version and devices', async () => {
    const server = await standIn();
    const stats = await new ComfyClient({ baseUrl: server.url }).ping();
    expect(stats.comfyuiVersion).toBe('0.3.99-stand-in');
    expect(stats.devices).toEqual([
      { name: 'cuda:0 Stand-in GPU', type: 'cuda', vramTotal: 25_769_803_776, vramFree: 21_474_836_480 },
    ]);
  });

  it('uploads through /upload/image and uses the name ComfyUI answers with', async () => {
    const server = await standIn();
    const client = new ComfyClient({ baseUrl: server.url });
    expect(await client.uploadFile(PORTRAIT, 'portrait.png', 'image')).toEqual({
      filename: 'portrait.png',
      subfolder: '',
      type: 'input',
    });
    expect((await client.uploadFile(PORTRAIT, 'portrait.png', 'image')).filename).toBe('portrait.png');
    expect((await client.uploadFile(Buffer.from('another face'), 'portrait.png', 'image')).filename).toBe(
      'portrait (1).png',
    );
    expect(
      (await client.uploadFile(Buffer.from('replaced'), 'portrait.png', 'image', { overwrite: true }))
        .filename,
    ).toBe('portrait.png');
    const audio = await client.uploadFile(NARRATION_WAV, 'speech.wav', 'audio', { subfolder: 'myspinbot' });
    expect(audio).toEqual({ filename: 'speech.wav', subfolder: 'myspinbot', type: 'input' });
    expect(server.uploads.map((upload) => upload.contentType)).toEqual([
      'image/png',
      'image/png',
      'image/png',
      'image/png',
      'audio/wav',
    ]);
    expect(server.uploads[4]?.bytes.equals(NARRATION_WAV)).toBe(true);
    const error = await rejection(client.uploadFile(PORTRAIT, '../escape.png', 'image'));
    expect(error.code).toBe('NODE_INPUT_INVALID');
  });

  it('runs a workflow: events relayed as monotonic progress, outputs listed, bytes downloaded', async () => {
    const server = await standIn({ progressSteps: 5 });
    const client = new ComfyClient({ baseUrl: server.url });
    const workflow = await preparedTalkingWorkflow(client);
    const log = progressLog();
    const { promptId, history } = await client.run(workflow, { onProgress: log.onProgress, outputNode: '9' });
    expect(history.promptId).toBe(promptId);
    expect(history.status?.statusStr).toBe('success');
    expect(server.prompts).toHaveLength(1);
    expect(server.prompts[0]?.clientId).toBe(client.clientId);
    expect(log.fractions.length).toBeGreaterThan(20);
    expect(isMonotonic(log.fractions)).toBe(true);
    expect(log.fractions.at(-1)).toBe(1);
    expect(log.messages).toContain('Running node 7 (WanVideoSampler)');
    const files = comfyOutputFiles(history, '9', 'gifs');
    expect(files).toHaveLength(1);
    const file = files[0];
    if (file === undefined) throw new Error('no output file');
    const output = parseStandInOutput(await client.view(file));
    expect(output.promptId).toBe(promptId);
    expect(output.loaded.map((entry) => entry.sha256).sort()).toEqual(
      [sha256(PORTRAIT), sha256(NARRATION_WAV)].sort(),
    );
    expect(output.inputs['5']?.positive_prompt).toBe('Hello from the client test');
    expect(server.socketsOpened).toBe(1);
  });

  it('follows a prompt queued earlier, picking up its end from /history if the events were missed', async () => {
    const server = await standIn({ progressSteps: 1, stepDelayMs: 0 });
    const client = new ComfyClient({ baseUrl: server.url });
    const queued = await client.queuePrompt(await preparedTalkingWorkflow(client));
    await server.idle();
    const entry = await client.follow(queued.promptId);
    expect(comfyOutputFiles(entry, '9', 'gifs')).toHaveLength(1);
    expect(await client.history('no-such-prompt')).toBeNull();
  });

  it('completes a follow whose socket hears nothing, through the idle /history check', async () => {
    // About 360 ms of run: still running when the follower first reads /history.
    const server = await standIn({ stepDelayMs: 10 });
    const queuer = new ComfyClient({ baseUrl: server.url });
    const queued = await queuer.queuePrompt(await preparedTalkingWorkflow(queuer));
    // Another client id: ComfyUI sends this prompt's events to the queuer's socket only.
    const follower = new ComfyClient({ baseUrl: server.url, idleCheckMs: 50 });
    const entry = await follower.follow(queued.promptId);
    expect(comfyOutputFiles(entry, '9', 'gifs')).toHaveLength(1);
    expect(server.socketsOpened).toBe(1);
    expect(server.requests.filter((request) => request.path.startsWith('/history/')).length).toBeGreaterThan(
      2,
    );
  });

  it('reports a rejected workflow as NODE_INPUT_INVALID with ComfyUI node_errors', async () => {
    const server = await standIn();
    const client = new ComfyClient({ baseUrl: server.url });
    const error = await rejection(client.queuePrompt(upscaleWorkflow()));
    expect(error.code).toBe('NODE_INPUT_INVALID');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('Prompt outputs failed validation');
    expect(error.message).toContain('node 1 (LoadImage)');
    expect(error.message).toContain('Invalid image file: frame.png');
    const nodeErrors = error.details?.node_errors as Record<
      string,
      { class_type: string; dependent_outputs: string[] }
    >;
    expect(nodeErrors['1']?.class_type).toBe('LoadImage');
    expect(nodeErrors['1']?.dependent_outputs).toEqual(['4']);
  });

  it('fails fast when ComfyUI queues the prompt but the output node cannot run', async () => {
    const server = await standIn();
    const client = new ComfyClient({ baseUrl: server.url });
    const image = await client.uploadFile(PORTRAIT, 'frame.png', 'image');
    const workflow = {
      ...injectWorkflow(upscaleWorkflow(), upscaleSpec(), { image: image.filename }),
      '10': { class_type: 'LoadImage', inputs: { image: 'never-uploaded.png' } },
      '11': { class_type: 'SaveImage', inputs: { images: ['10', 0], filename_prefix: 'other' } },
    };
    const error = await rejection(client.run(workflow, { outputNode: '11' }));
    expect(error.code).toBe('NODE_INPUT_INVALID');
    expect(error.message).toContain('will not run output node 11');
    expect(server.queueDeletes).toEqual([error.details?.promptId]);
  });

  it('finishes through a reconnect when the socket drops mid-run', async () => {
    const server = await standIn({
      stepDelayMs: 5,
      progressSteps: 4,
      dropSocketAfterProgress: 6,
      dropSocketTimes: 1,
    });
    const client = new ComfyClient({ baseUrl: server.url, pollIntervalMs: 20 });
    const log = progressLog();
    const { history } = await client.run(await preparedTalkingWorkflow(client), {
      onProgress: log.onProgress,
    });
    expect(server.socketsDropped).toBe(1);
    expect(server.socketsOpened).toBe(2);
    expect(comfyOutputFiles(history, '9', 'gifs')).toHaveLength(1);
    expect(isMonotonic(log.fractions)).toBe(true);
    expect(log.fractions.at(-1)).toBe(1);
  });

  it('falls back to polling /history when the socket drops twice', async () => {
    const server = await standIn({
      stepDelayMs: 5,
      progressSteps: 4,
      dropSocketAfterProgress: 3,
      dropSocketTimes: 2,
    });
    const client = new ComfyClient({ baseUrl: server.url, pollIntervalMs: 20 });
    const log = progressLog();
    const { history } = await client.run(await preparedTalkingWorkflow(client), {
      onProgress: log.onProgress,
    });
    expect(server.socketsDropped).toBe(2);
    expect(comfyOutputFiles(history, '9', 'gifs')).toHaveLength(1);
    expect(log.messages.some((message) => message.includes('dropped again'))).toBe(true);
    expect(server.requests.filter((request) => request.path.startsWith('/history/')).length).toBeGreaterThan(
      1,
    );
  });

  it('falls back to polling /history when the socket cannot be reopened after a drop', async () => {
    const server = await standIn({
      stepDelayMs: 5,
      dropSocketAfterProgress: 2,
      refuseWebSocketAfterDrop: true,
    });
    const client = new ComfyClient({ baseUrl: server.url, pollIntervalMs: 20 });
    const log = progressLog();
    const { history } = await client.run(await preparedTalkingWorkflow(client), {
      onProgress: log.onProgress,
    });
    expect(server.socketsOpened).toBe(1);
    expect(comfyOutputFiles(history, '9', 'gifs')).toHaveLength(1);
    expect(log.messages.some((message) => message.includes('could not be reopened'))).toBe(true);
  });

  it('polls /history from the start when the socket cannot be opened at all', async () => {
    const server = await standIn({ refuseWebSocket: true });
    const client = new ComfyClient({ baseUrl: server.url, pollIntervalMs: 20 });
    const { history } = await client.run(await preparedTalkingWorkflow(client));
    expect(server.socketsOpened).toBe(0);
    expect(history.status?.statusStr).toBe('success');
    expect(server.requests.filter((request) => request.path.startsWith('/history/')).length).toBeGreaterThan(
      1,
    );
  });

  it('turns an execution_error into SERVICE_FAILED with the node type and exception message', async () => {
    const server = await standIn({
      failAtNode: {
        node: '7',
        exceptionType: 'RuntimeError',
        message: 'mat1 and mat2 shapes cannot be multiplied',
      },
    });
    const client = new ComfyClient({ baseUrl: server.url });
    const error = await rejection(client.run(await preparedTalkingWorkflow(client)));
    expect(error.code).toBe('SERVICE_FAILED');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('node 7 (WanVideoSampler)');
    expect(error.message).toContain('RuntimeError: mat1 and mat2 shapes cannot be multiplied');
    expect(error.details).toMatchObject({
      nodeId: '7',
      nodeType: 'WanVideoSampler',
      exceptionType: 'RuntimeError',
    });
  });

  it('reads an execution_error from the history status when polling', async () => {
    const server = await standIn({
      refuseWebSocket: true,
      failAtNode: { node: '8', exceptionType: 'torch.OutOfMemoryError', message: 'CUDA out of memory' },
    });
    const client = new ComfyClient({ baseUrl: server.url, pollIntervalMs: 20 });
    const error = await rejection(client.run(await preparedTalkingWorkflow(client)));
    expect(error.code).toBe('SERVICE_FAILED');
    expect(error.message).toContain('CUDA out of memory');
    expect(error.details).toMatchObject({ nodeType: 'WanVideoDecode' });
    expect(error.retryable).toBe(true);
  });

  it('cancels on abort: NODE_CANCELLED, and the prompt is interrupted on ComfyUI', async () => {
    const server = await standIn({ stepDelayMs: 20, progressSteps: 20 });
    const client = new ComfyClient({ baseUrl: server.url });
    const workflow = await preparedTalkingWorkflow(client);
    const controller = new AbortController();
    const error = await rejection(
      client.run(workflow, {
        signal: controller.signal,
        onProgress: (fraction) => {
          if (fraction > 0.1) controller.abort();
        },
      }),
    );
    expect(error.code).toBe('NODE_CANCELLED');
    const promptId = server.prompts[0]?.promptId;
    expect(server.interrupts).toEqual([{ promptId }]);
    expect(server.queueDeletes).toEqual([promptId]);
    await server.idle();
    const entry = await rejection(client.follow(promptId ?? ''));
    expect(entry.code).toBe('NODE_CANCELLED');
    expect(entry.message).toContain('interrupted');
  });

  it('gives up at the follow deadline with ENGINE_UNAVAILABLE and interrupts the prompt', async () => {
    const server = await standIn({ stepDelayMs: 50, progressSteps: 50 });
    const client = new ComfyClient({ baseUrl: server.url });
    const error = await rejection(client.run(await preparedTalkingWorkflow(client), { timeoutMs: 200 }));
    expect(error.code).toBe('ENGINE_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('did not finish within 200 ms');
    expect(server.interrupts).toHaveLength(1);
  });

  it('sends targeted and global interrupts', async () => {
    const server = await standIn();
    const client = new ComfyClient({ baseUrl: server.url });
    await client.interrupt('abc');
    await client.interrupt();
    expect(server.interrupts).toEqual([{ promptId: 'abc' }, { promptId: null }]);
  });

  it('reports an unreachable server as ENGINE_UNAVAILABLE, retryable', async () => {
    const client = new ComfyClient({ baseUrl: await deadUrl() });
    for (const call of [
      client.ping(),
      client.uploadFile(PORTRAIT, 'p.png', 'image'),
      client.run(upscaleWorkflow()),
    ]) {
      const error = await rejection(call);
      expect(error.code).toBe('ENGINE_UNAVAILABLE');
      expect(error.retryable).toBe(true);
      expect(error.message).toContain('could not be reached');
    }
  });

  it('reports HTTP 5xx as ENGINE_UNAVAILABLE, retryable', async () => {
    const server = await standIn({ httpFailure: { status: 500, paths: ['/prompt'] } });
    const client = new ComfyClient({ baseUrl: server.url });
    const error = await rejection(client.queuePrompt(upscaleWorkflow()));
    expect(error.code).toBe('ENGINE_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('HTTP 500');
  });

  it('reports a request past its deadline as ENGINE_UNAVAILABLE, retryable', async () => {
    const server = await standIn({ slowHttp: { delayMs: 1000, paths: ['/system_stats'] } });
    const client = new ComfyClient({ baseUrl: server.url, timeoutMs: 100 });
    const error = await rejection(client.ping());
    expect(error.code).toBe('ENGINE_UNAVAILABLE');
    expect(error.message).toContain('did not answer within 100 ms');
  });

  it('sends credentials from the base URL as basic auth and never shows them', async () => {
    const server = await standIn();
    const client = new ComfyClient({ baseUrl: server.url.replace('http://', 'http://user:s3cret@') });
    expect(client.url).toBe(server.url);
    await client.ping();
    expect(server.requests[0]?.authorization).toBe(`Basic ${Buffer.from('user:s3cret').toString('base64')}`);
  });

  it('rejects base URLs that are not http(s) or carry a query', () => {
    expect(() => new ComfyClient({ baseUrl: 'ftp://host' })).toThrow(/http\(s\)/);
    expect(() => new ComfyClient({ baseUrl: 'http://host:8188/?token=x' })).toThrow(/query/);
    expect(() => new ComfyClient({ baseUrl: 'http://host:8188', timeoutMs: 0 })).toThrow(/timeoutMs/);
  });
});

describe('ComfySocket', () => {
  it('treats a peer that stops answering pings as a dropped socket', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: false });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    try {
      const { port } = server.address() as AddressInfo;
      server.on('connection', (ws) => ws.send(JSON.stringify({ type: 'status', data: { sid: 'x' } })));
      const socket = await ComfySocket.open(`ws://127.0.0.1:${port}/ws`, {
        timeoutMs: 1000,
        heartbeatMs: 50,
      });
      expect(await socket.next(undefined, 1000)).toEqual({
        kind: 'message',
        message: { type: 'status', data: { sid: 'x' } },
      });
      const closed = await socket.next(undefined, 5000);
      expect(closed).toEqual({ kind: 'closed', reason: 'no pong within 50 ms' });
      expect(await socket.next(undefined, 10)).toEqual(closed);
      socket.close();
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('returns idle when nothing arrives and rejects reads once the signal aborts', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    try {
      const { port } = server.address() as AddressInfo;
      const socket = await ComfySocket.open(`ws://127.0.0.1:${port}/ws`, {
        timeoutMs: 1000,
        heartbeatMs: 10_000,
      });
      expect(await socket.next(undefined, 20)).toEqual({ kind: 'idle' });
      const controller = new AbortController();
      const read = socket.next(controller.signal, 5000);
      controller.abort();
      const error = await rejection(read);
      expect(error.code).toBe('NODE_CANCELLED');
      socket.close();
      for (const client of server.clients) client.terminate();
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
