import { MySpinBotError } from '@myspinbot/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { ComfyPortraitRenderer } from '../src/comfyui/portrait-renderer.js';
import { ComfyUpscaler } from '../src/comfyui/upscaler.js';
import { comfySeed } from '../src/comfyui/workflow.js';
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

async function rejection(promise: Promise<unknown>): Promise<MySpinBotError> {
  const error = await promise.then(
    () => new Error('expected a MySpinBotError, the call succeeded'),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(MySpinBotError);
  return error as MySpinBotError;
}

function renderer(server: ComfyStandIn, extra: { timeoutMs?: number; pollIntervalMs?: number } = {}) {
  return new ComfyPortraitRenderer({
    baseUrl: server.url,
    workflow: talkingWorkflow(),
    spec: talkingSpec(),
    ...extra,
  });
}

const INPUT = {
  image: PORTRAIT,
  imageName: 'Portrait of Ada.png',
  audioWav: NARRATION_WAV,
  narration: 'Hello, I am Ada, and this is my talking portrait.',
  seed: 'job-42/render',
};

describe('ComfyPortraitRenderer', () => {
  it('uploads portrait and audio, injects them, relays progress and downloads the named output', async () => {
    const server = await standIn({ progressSteps: 3 });
    const log = progressLog();
    const result = await renderer(server).render({ ...INPUT, onProgress: log.onProgress });

    expect(server.uploads.map((upload) => upload.name)).toEqual([
      `Portrait_of_Ada-${sha256(PORTRAIT).slice(0, 12)}.png`,
      `narration-${sha256(NARRATION_WAV).slice(0, 12)}.wav`,
    ]);
    expect(server.uploads.map((upload) => upload.contentType)).toEqual(['image/png', 'audio/wav']);
    expect(server.uploads[0]?.bytes.equals(PORTRAIT)).toBe(true);
    expect(server.uploads[1]?.bytes.equals(NARRATION_WAV)).toBe(true);

    const sent = server.prompts[0]?.prompt;
    expect(sent?.['1']?.inputs.image).toBe(server.uploads[0]?.name);
    expect(sent?.['2']?.inputs.audio).toBe(server.uploads[1]?.name);
    expect(sent?.['5']?.inputs.positive_prompt).toBe(INPUT.narration);
    expect(sent?.['7']?.inputs.seed).toBe(comfySeed(INPUT.seed));

    expect(result.filename).toMatch(/^myspinbot_\d{5}_\.mp4$/);
    expect(result.mediaType).toBe('video/mp4');
    const output = parseStandInOutput(result.video);
    expect(output.node).toBe('9');
    expect(output.promptId).toBe(server.prompts[0]?.promptId);
    expect(output.loaded).toEqual(
      expect.arrayContaining([
        { node: '1', classType: 'LoadImage', file: server.uploads[0]?.name, sha256: sha256(PORTRAIT) },
        { node: '2', classType: 'LoadAudio', file: server.uploads[1]?.name, sha256: sha256(NARRATION_WAV) },
      ]),
    );

    expect(isMonotonic(log.fractions)).toBe(true);
    expect(log.fractions[0]).toBe(0);
    expect(log.fractions.at(-1)).toBe(1);
    const during = log.fractions.filter((fraction) => fraction > 0.05 && fraction < 0.95);
    expect(new Set(during).size).toBeGreaterThan(10);
    expect(log.messages).toContain('Running node 7 (WanVideoSampler)');
  });

  it('reports a workflow ComfyUI rejects as NODE_INPUT_INVALID with its node_errors', async () => {
    const server = await standIn();
    const workflow = {
      ...talkingWorkflow(),
      '10': { class_type: 'LoadImage', inputs: { image: 'watermark.png' } },
      '9': {
        class_type: 'VHS_VideoCombine',
        inputs: { ...talkingWorkflow()['9']?.inputs, overlay: ['10', 0] },
      },
    };
    const rendering = new ComfyPortraitRenderer({ baseUrl: server.url, workflow, spec: talkingSpec() });
    const error = await rejection(rendering.render(INPUT));
    expect(error.code).toBe('NODE_INPUT_INVALID');
    expect(error.message).toContain('Invalid image file: watermark.png');
    expect(error.details?.node_errors).toMatchObject({
      '10': { class_type: 'LoadImage', dependent_outputs: ['9'] },
    });
    expect(server.prompts).toHaveLength(0);
  });

  it('reports an execution_error as SERVICE_FAILED with the node type and the exception message', async () => {
    const server = await standIn({
      failAtNode: {
        node: '4',
        exceptionType: 'ValueError',
        message: 'audio is shorter than one video frame',
      },
    });
    const error = await rejection(renderer(server).render(INPUT));
    expect(error.code).toBe('SERVICE_FAILED');
    expect(error.message).toContain('MultiTalkWav2VecEmbeds');
    expect(error.message).toContain('audio is shorter than one video frame');
    expect(error.details).toMatchObject({
      nodeId: '4',
      nodeType: 'MultiTalkWav2VecEmbeds',
      exceptionMessage: 'audio is shorter than one video frame',
    });
  });

  it('cancels mid-run: NODE_CANCELLED and ComfyUI receives /interrupt for the prompt', async () => {
    const server = await standIn({ stepDelayMs: 15, progressSteps: 20 });
    const controller = new AbortController();
    const error = await rejection(
      renderer(server).render({
        ...INPUT,
        signal: controller.signal,
        onProgress: (fraction) => {
          if (fraction > 0.3) controller.abort();
        },
      }),
    );
    expect(error.code).toBe('NODE_CANCELLED');
    expect(server.interrupts).toEqual([{ promptId: server.prompts[0]?.promptId }]);
    await server.idle();
    expect(server.requests.some((request) => request.path === '/view')).toBe(false);
  });

  it('does nothing on ComfyUI when the signal is already aborted', async () => {
    const server = await standIn();
    const controller = new AbortController();
    controller.abort();
    const error = await rejection(renderer(server).render({ ...INPUT, signal: controller.signal }));
    expect(error.code).toBe('NODE_CANCELLED');
    expect(server.requests).toEqual([]);
  });

  it('gives up after timeoutMs with ENGINE_UNAVAILABLE (retryable) and interrupts the prompt', async () => {
    const server = await standIn({ stepDelayMs: 40, progressSteps: 50 });
    // Long enough for the uploads even on a loaded machine, far shorter than the run (9 nodes x 2 s).
    const error = await rejection(renderer(server, { timeoutMs: 1500 }).render(INPUT));
    expect(error.code).toBe('ENGINE_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('portrait render did not finish within 1500 ms');
    expect(server.interrupts).toHaveLength(1);
  });

  it('reports a server that is down as ENGINE_UNAVAILABLE, retryable', async () => {
    const server = await startComfyStandIn();
    await server.close();
    const error = await rejection(renderer(server).render(INPUT));
    expect(error.code).toBe('ENGINE_UNAVAILABLE');
    expect(error.retryable).toBe(true);
  });

  it('finishes when the socket drops mid-render', async () => {
    const server = await standIn({ dropSocketAfterProgress: 5 });
    const result = await renderer(server, { pollIntervalMs: 20 }).render(INPUT);
    expect(server.socketsDropped).toBe(1);
    expect(parseStandInOutput(result.video).loaded).toHaveLength(2);
  });

  it('finishes by polling when the socket cannot be opened', async () => {
    const server = await standIn({ refuseWebSocket: true });
    const result = await renderer(server, { pollIntervalMs: 20 }).render(INPUT);
    expect(server.socketsOpened).toBe(0);
    expect(result.mediaType).toBe('video/mp4');
  });

  it('runs concurrent renders under separate client ids', async () => {
    const server = await standIn();
    const rendering = renderer(server);
    const [a, b] = await Promise.all([
      rendering.render(INPUT),
      rendering.render({ ...INPUT, image: Buffer.concat([PORTRAIT, Buffer.from('2')]) }),
    ]);
    const clientIds = new Set(server.prompts.map((prompt) => prompt.clientId));
    expect(clientIds.size).toBe(2);
    expect(parseStandInOutput(a.video).loaded.map((entry) => entry.sha256)).toContain(sha256(PORTRAIT));
    expect(parseStandInOutput(b.video).loaded.map((entry) => entry.sha256)).toContain(
      sha256(Buffer.concat([PORTRAIT, Buffer.from('2')])),
    );
  });

  it('says which output keys the node has when the spec names the wrong kind', async () => {
    const server = await standIn();
    const spec = { ...talkingSpec(), output: { node: '9', kind: 'videos' as const } };
    const rendering = new ComfyPortraitRenderer({ baseUrl: server.url, workflow: talkingWorkflow(), spec });
    const error = await rejection(rendering.render(INPUT));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('produced gifs but no "videos"');
  });

  it('validates the workflow and spec when built, and needs image and audio targets', () => {
    const { audio: _audio, ...withoutAudio } = talkingSpec();
    expect(
      () =>
        new ComfyPortraitRenderer({
          baseUrl: 'http://127.0.0.1:8188',
          workflow: talkingWorkflow(),
          spec: withoutAudio,
        }),
    ).toThrow(/inject\.audio/);
    const wrongNode = { ...talkingSpec(), seed: { node: '77', input: 'seed' } };
    expect(
      () =>
        new ComfyPortraitRenderer({
          baseUrl: 'http://127.0.0.1:8188',
          workflow: talkingWorkflow(),
          spec: wrongNode,
        }),
    ).toThrow(/inject\.seed names node "77"/);
  });

  it('rejects empty inputs as NODE_INPUT_INVALID', async () => {
    const server = await standIn();
    const error = await rejection(renderer(server).render({ ...INPUT, audioWav: Buffer.alloc(0) }));
    expect(error.code).toBe('NODE_INPUT_INVALID');
    expect(server.requests).toEqual([]);
  });

  it('describes itself by name and URL, without credentials', () => {
    const rendering = new ComfyPortraitRenderer({
      baseUrl: 'http://admin:hunter2@gpu-box:8188/',
      workflow: talkingWorkflow(),
      spec: talkingSpec(),
    });
    expect(rendering.describe()).toEqual({ name: 'comfyui', url: 'http://gpu-box:8188' });
    expect(JSON.stringify(rendering.describe())).not.toContain('hunter2');
  });
});

describe('ComfyUpscaler', () => {
  it('uploads the image, runs the ESRGAN-style workflow and downloads the saved image', async () => {
    const server = await standIn();
    const upscaler = new ComfyUpscaler({
      baseUrl: server.url,
      workflow: upscaleWorkflow(),
      spec: upscaleSpec(),
    });
    const log = progressLog();
    const frame = Buffer.concat([PORTRAIT, Buffer.from('frame 17')]);
    const result = await upscaler.upscale({
      image: frame,
      imageName: 'frame-0017.png',
      onProgress: log.onProgress,
    });
    expect(result.filename).toMatch(/^myspinbot_upscaled_\d{5}_\.png$/);
    expect(result.mediaType).toBe('image/png');
    const output = parseStandInOutput(result.image);
    expect(output.loaded).toEqual([
      { node: '1', classType: 'LoadImage', file: server.uploads[0]?.name, sha256: sha256(frame) },
    ]);
    expect(output.inputs['2']?.model_name).toBe('RealESRGAN_x4plus.pth');
    expect(server.uploads[0]?.name).toMatch(/^frame-0017-[0-9a-f]{12}\.png$/);
    expect(isMonotonic(log.fractions)).toBe(true);
    expect(log.fractions.at(-1)).toBe(1);
    expect(upscaler.describe()).toEqual({ name: 'comfyui', url: server.url });
  });

  it('reports an execution_error of the upscale model as SERVICE_FAILED', async () => {
    const server = await standIn({
      failAtNode: {
        node: '2',
        exceptionType: 'FileNotFoundError',
        message: 'RealESRGAN_x4plus.pth not found',
      },
    });
    const upscaler = new ComfyUpscaler({
      baseUrl: server.url,
      workflow: upscaleWorkflow(),
      spec: upscaleSpec(),
    });
    const error = await rejection(upscaler.upscale({ image: PORTRAIT }));
    expect(error.code).toBe('SERVICE_FAILED');
    expect(error.message).toContain('UpscaleModelLoader');
    expect(error.message).toContain('RealESRGAN_x4plus.pth not found');
  });

  it('needs an image target in the spec', () => {
    expect(
      () =>
        new ComfyUpscaler({
          baseUrl: 'http://127.0.0.1:8188',
          workflow: upscaleWorkflow(),
          spec: { output: { node: '4', kind: 'images' } },
        }),
    ).toThrow(/inject\.image/);
  });
});
