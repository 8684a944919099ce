/**
 * render_video_comfyui end to end against a local ComfyUI stand-in whose workflow output is a real MP4
 * (made by the bundled ffmpeg from the uploaded portrait and narration): the stored video, thumbnail and
 * captions, the reported size and duration, progress; a workflow that yields an image, bytes that are no
 * video, and cancellation mid-run (ComfyUI receives /interrupt). Nothing is stored when the run fails.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ArtifactRef, MySpinBotError, type PlaneManifest } from '@myspinbot/contracts';
import { ComfyPortraitRenderer, loadComfyWorkflow } from '@myspinbot/engines/comfyui';
import { probeMedia } from '@myspinbot/engines/media';
import { type ServiceContext, silentLogger } from '@myspinbot/runtime';
import { artifactKey, LocalArtifactStore } from '@myspinbot/storage';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testdata } from '../../../test/support/http.js';
import { renderVideoComfy } from '../src/data/render-comfy.js';
import type { PlaneDeps } from '../src/deps.js';
import {
  type MediaStandIn,
  type MediaStandInOptions,
  startMediaStandIn,
} from './support/comfy-media-stand-in.js';

const JOB = 'comfy-job';
const NODE = 'render';
const NARRATION = 'Is quite alright as long as you know';
const WORDS = NARRATION.split(' ').map((text, i) => ({ text, startMs: i * 240, endMs: i * 240 + 200 }));

/** An InfiniteTalk-style workflow file, as loadEngines reads it; `output` picks the output node. */
function workflowFile(dir: string, output: 'video' | 'image'): string {
  const outputNode =
    output === 'video'
      ? {
          class_type: 'VHS_VideoCombine',
          inputs: {
            images: ['6', 0],
            audio: ['2', 0],
            frame_rate: 25,
            format: 'video/h264-mp4',
            filename_prefix: 'myspinbot',
          },
        }
      : { class_type: 'SaveImage', inputs: { images: ['6', 0], filename_prefix: 'myspinbot' } };
  const path = join(dir, `talking-${output}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      workflow: {
        '1': { class_type: 'LoadImage', inputs: { image: 'portrait.png' } },
        '2': { class_type: 'LoadAudio', inputs: { audio: 'speech.wav' } },
        '3': { class_type: 'WanVideoTextEncode', inputs: { positive_prompt: 'a person talking' } },
        '4': { class_type: 'MultiTalkWav2VecEmbeds', inputs: { audio_1: ['2', 0], fps: 25 } },
        '5': {
          class_type: 'WanVideoSampler',
          inputs: { image: ['1', 0], text_embeds: ['3', 0], multitalk_embeds: ['4', 0], seed: 42, steps: 6 },
        },
        '6': { class_type: 'WanVideoDecode', inputs: { samples: ['5', 0] } },
        '9': outputNode,
      },
      inject: {
        image: { node: '1', input: 'image' },
        audio: { node: '2', input: 'audio' },
        text: { node: '3', input: 'positive_prompt' },
        seed: { node: '5', input: 'seed' },
        output: { node: '9', kind: output === 'video' ? 'gifs' : 'images' },
      },
    }),
  );
  return path;
}

async function rejection(promise: Promise<unknown>): Promise<MySpinBotError> {
  const error = await promise.then(
    () => new Error('expected a MySpinBotError, the call succeeded'),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(MySpinBotError);
  return error as MySpinBotError;
}

describe('render_video_comfyui', () => {
  const dir = mkdtempSync(join(tmpdir(), 'render-comfy-'));
  const store = new LocalArtifactStore({ root: join(dir, 'store') });
  const standIns: MediaStandIn[] = [];
  let input: Record<string, unknown>;
  let runs = 0;

  beforeAll(async () => {
    await store.init();
    const put = async (name: string, body: Buffer, contentType: string): Promise<ArtifactRef> =>
      store.toArtifactRef(await store.put(artifactKey(JOB, 'inputs', name), body, { contentType }));
    const timings = { engine: 'test', sampleRate: 48_000, durationMs: 2000, words: WORDS, phonemes: [] };
    input = {
      assets: { image: await put('carl_jung.jpg', testdata('carl_jung.jpg'), 'image/jpeg') },
      speech: {
        audio: await put('speech.wav', testdata('carl_jung.wav'), 'audio/wav'),
        timings: await put('timings.json', Buffer.from(JSON.stringify(timings)), 'application/json'),
      },
      script: { narration: NARRATION },
    };
  });
  afterEach(async () => {
    await Promise.all(standIns.splice(0).map((standIn) => standIn.close()));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function setup(output: 'video' | 'image', behaviour: Partial<MediaStandInOptions> = {}) {
    const server = await startMediaStandIn(behaviour);
    standIns.push(server);
    const { workflow, spec } = await loadComfyWorkflow(workflowFile(dir, output));
    const service = renderVideoComfy(
      new ComfyPortraitRenderer({ baseUrl: server.url, workflow, spec, pollIntervalMs: 20 }),
    );
    const controller = new AbortController();
    const progress: number[] = [];
    runs += 1;
    const ctx: ServiceContext<PlaneDeps> = {
      jobId: `${JOB}-${runs}`,
      nodeId: NODE,
      node: { id: NODE, name: NODE, service: service.name, plane: 'python', status: 'running', attempts: 1 },
      params: {},
      context: { options: { seed: '7' } },
      signal: controller.signal,
      log: silentLogger,
      deps: { manifest: () => ({}) as PlaneManifest, store },
      progress: (fraction) => progress.push(fraction),
      publish: () => {},
    };
    return { server, service, ctx, controller, progress };
  }

  /** The keys the run of `ctx` stored under its node. */
  const stored = async (ctx: ServiceContext<PlaneDeps>) =>
    (await store.list(`jobs/${ctx.jobId}/${NODE}/`)).map((o) => o.key);

  it('stores the real MP4 ComfyUI rendered, a JPEG thumbnail and WebVTT captions', async () => {
    const { server, service, ctx, progress } = await setup('video');
    const output = await service.run(input, ctx);

    const names = server.uploads.map((u) => u.name);
    expect(names[0]).toMatch(/^carl_jung-[0-9a-f]{12}\.jpg$/);
    expect(server.uploads[0]?.bytes.equals(testdata('carl_jung.jpg'))).toBe(true);
    expect(server.prompts[0]?.prompt['1']?.inputs.image).toBe(names[0]);
    expect(server.prompts[0]?.prompt['2']?.inputs.audio).toBe(names[1]);
    expect(server.prompts[0]?.prompt['3']?.inputs.positive_prompt).toBe(NARRATION);
    expect(server.prompts[0]?.prompt['5']?.inputs.seed).toBe(7);

    const video = output.video as ArtifactRef;
    expect(video.key).toBe(artifactKey(ctx.jobId, NODE, 'video.mp4'));
    expect(video.contentType).toBe('video/mp4');
    const videoPath = join(dir, 'downloaded.mp4');
    writeFileSync(videoPath, (await store.getBuffer(video.key)) ?? Buffer.alloc(0));
    const info = await probeMedia(videoPath);
    const stream = info.streams.find((s) => s.codecType === 'video');
    expect(stream?.codecName).toBe('h264');
    expect([stream?.width, stream?.height]).toEqual([256, 320]);
    expect(info.streams.find((s) => s.codecType === 'audio')?.codecName).toBe('aac');
    expect(info.durationMs).toBeGreaterThan(1800);
    expect(info.durationMs).toBeLessThan(2300);
    expect(output).toMatchObject({ width: 256, height: 320, durationMs: info.durationMs, engine: 'comfyui' });
    expect(output.fps).toBe(stream?.frameRate ?? null);

    const thumbnail = await store.getBuffer((output.thumbnail as ArtifactRef).key);
    const image = sharp(thumbnail ?? Buffer.alloc(0));
    expect(await image.metadata()).toMatchObject({ format: 'jpeg', width: 256, height: 320 });
    const { info: raw } = await image.raw().toBuffer({ resolveWithObject: true });
    expect(raw.width * raw.height).toBe(256 * 320);

    const vtt = (await store.getBuffer((output.captions as ArtifactRef).key))?.toString('utf8') ?? '';
    expect(vtt.startsWith('WEBVTT')).toBe(true);
    for (const word of WORDS) expect(vtt).toContain(word.text);
    expect((output.captions as ArtifactRef).contentType).toContain('text/vtt');

    expect((await stored(ctx)).sort()).toEqual(
      ['captions.vtt', 'thumbnail.jpg', 'video.mp4'].map((name) => artifactKey(ctx.jobId, NODE, name)),
    );
    expect(progress.length).toBeGreaterThan(5);
    expect(progress.every((f, i) => f >= 0 && f <= 1 && f >= (progress[i - 1] ?? 0))).toBe(true);
    expect(new Set(progress.filter((f) => f > 0.05 && f < 0.9)).size).toBeGreaterThan(3);
    expect(progress.at(-1)).toBe(1);
  });

  it('fails with SERVICE_FAILED when the workflow produces an image, storing nothing', async () => {
    const { service, ctx } = await setup('image');
    const error = await rejection(service.run(input, ctx));
    expect(error.code).toBe('SERVICE_FAILED');
    expect(error.message).toBe('the ComfyUI workflow produced image/png, not a video');
    expect(await stored(ctx)).toEqual([]);
  });

  it('fails with MEDIA_INVALID when the video bytes are not a video, storing nothing', async () => {
    const { service, ctx } = await setup('video', { corruptVideo: true });
    const error = await rejection(service.run(input, ctx));
    expect(error.code).toBe('MEDIA_INVALID');
    expect(await stored(ctx)).toEqual([]);
  });

  it('cancels mid-run: NODE_CANCELLED, ComfyUI receives /interrupt, nothing is stored', async () => {
    const { server, service, ctx, controller, progress } = await setup('video', {
      progressSteps: 50,
      stepDelayMs: 10,
    });
    const running = service.run(input, {
      ...ctx,
      progress: (fraction) => {
        progress.push(fraction);
        if (fraction > 0.1) controller.abort();
      },
    });
    const error = await rejection(running);
    expect(error.code).toBe('NODE_CANCELLED');
    await server.idle();
    expect(server.interrupts).toEqual([{ promptId: server.prompts[0]?.promptId }]);
    expect(await stored(ctx)).toEqual([]);
  });
});
