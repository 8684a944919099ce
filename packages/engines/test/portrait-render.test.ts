import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MySpinBotError } from '@myspinbot/contracts';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../src/audio/wav.js';
import { probeMedia } from '../src/media/probe.js';
import { animateSpeech } from '../src/portrait/animation.js';
import {
  decodeRgb,
  detectFace,
  detectFaceInRgb,
  type FaceLandmarks,
} from '../src/portrait/face-landmarks.js';
import { buildFaceRig } from '../src/portrait/face-rig.js';
import { PortraitFrameRenderer } from '../src/portrait/frame-renderer.js';
import { LIPS_OUTER_LOWER, LIPS_OUTER_UPPER } from '../src/portrait/mesh-topology.js';
import { composeBaseFrame, frameSizeFor, placePoint, planPlacement } from '../src/portrait/photo-layout.js';
import {
  renderTalkingPortrait,
  type TalkingPortraitResult,
} from '../src/portrait/render-talking-portrait.js';
import { yuv420ToRgb } from '../src/portrait/yuv.js';
import { longestPause, pearson, syntheticSpeech } from './portrait-fixtures.js';

const PHOTO = fileURLToPath(new URL('../../../../shared/testdata/carl_jung.jpg', import.meta.url));
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'portrait');
const FPS = 25;

let image: Buffer;
let workDir: string;
const speech = syntheticSpeech();

beforeAll(async () => {
  image = await readFile(PHOTO);
  workDir = await mkdtemp(join(tmpdir(), 'portrait-test-'));
  await mkdir(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** The mouth's bounding box in frame coordinates, grown by half the mouth width. */
function mouthBox(face: FaceLandmarks, width: number, height: number) {
  const placement = planPlacement(
    { width: face.imageWidth, height: face.imageHeight },
    face.box,
    frameSizeFor({ width: face.imageWidth, height: face.imageHeight }, width, height),
  );
  const points = [...LIPS_OUTER_UPPER, ...LIPS_OUTER_LOWER].map((i) =>
    placePoint(placement, face.mesh[i] ?? { x: 0, y: 0 }),
  );
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const grow = (Math.max(...xs) - Math.min(...xs)) / 2;
  return {
    x0: Math.max(0, Math.floor(Math.min(...xs) - grow / 2)),
    x1: Math.min(width, Math.ceil(Math.max(...xs) + grow / 2)),
    y0: Math.max(0, Math.floor(Math.min(...ys) - grow / 2)),
    y1: Math.min(height, Math.ceil(Math.max(...ys) + grow)),
  };
}

/** Mean absolute luma difference of two 4:2:0 frames inside a box. */
function meanLumaDifference(a: Uint8Array, b: Uint8Array, width: number, box: ReturnType<typeof mouthBox>) {
  let sum = 0;
  let n = 0;
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++) {
      sum += Math.abs((a[y * width + x] ?? 0) - (b[y * width + x] ?? 0));
      n++;
    }
  }
  return sum / n;
}

/** RMS of the audio over each frame's display interval. */
function frameRms(samples: Float32Array, sampleRate: number, frames: number): number[] {
  return Array.from({ length: frames }, (_, f) => {
    const from = Math.floor((f * sampleRate) / FPS);
    const to = Math.min(samples.length, Math.floor(((f + 1) * sampleRate) / FPS));
    let sum = 0;
    for (let i = from; i < to; i++) sum += (samples[i] ?? 0) ** 2;
    return to > from ? Math.sqrt(sum / (to - from)) : 0;
  });
}

async function savePng(name: string, frame: Uint8Array, width: number, height: number): Promise<void> {
  await sharp(yuv420ToRgb(frame, width, height), { raw: { width, height, channels: 3 } })
    .png()
    .toFile(join(ARTIFACTS, name));
}

function ffmpegProcessesUsing(path: string): string[] {
  const out = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes('ffmpeg') && line.includes(path));
}

describe('face landmarks', () => {
  it('finds the face and puts the mouth in the lower half of its box', async () => {
    const face = await detectFace(image);
    const [x, y, w, h] = face.box;
    expect(face.confidence).toBeGreaterThan(0.5);
    expect(face.mesh.length).toBeGreaterThanOrEqual(468);
    expect(w).toBeGreaterThan(100);
    for (const index of [13, 14, 61, 291, 0, 17]) {
      const p = face.mesh[index];
      expect(p?.x).toBeGreaterThan(x);
      expect(p?.x).toBeLessThan(x + w);
      expect(p?.y).toBeGreaterThan(y + h / 2);
      expect(p?.y).toBeLessThan(y + h);
    }
    // The eyes sit above the mouth, on both sides of it.
    const mouth = face.mesh[13];
    expect(face.mesh[159]?.y).toBeLessThan(mouth?.y ?? 0);
    expect(face.mesh[159]?.x).toBeLessThan(mouth?.x ?? 0);
    expect(face.mesh[386]?.x).toBeGreaterThan(mouth?.x ?? 0);
  });

  it('reports NO_FACE_FOUND for a photo without a face', async () => {
    const gradient = Buffer.alloc(256 * 256 * 3);
    for (let i = 0; i < 256 * 256; i++) gradient.set([i % 256, (i >> 8) % 256, 128], i * 3);
    const png = await sharp(gradient, { raw: { width: 256, height: 256, channels: 3 } })
      .png()
      .toBuffer();
    const error = await detectFace(png).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MySpinBotError);
    expect(error).toMatchObject({ code: 'NO_FACE_FOUND', retryable: false });
  });

  it('reports MEDIA_INVALID for bytes that are not an image', async () => {
    await expect(detectFace(Buffer.from('definitely not an image'))).rejects.toMatchObject({
      code: 'MEDIA_INVALID',
    });
  });
});

describe('renderTalkingPortrait', () => {
  let result: TalkingPortraitResult;
  const frames: Uint8Array[] = [];
  const progress: number[] = [];

  beforeAll(async () => {
    result = await renderTalkingPortrait({
      image,
      speech,
      outDir: join(workDir, 'first'),
      fps: FPS,
      seed: 'portrait-test',
      onFrame: (_, frame) => frames.push(frame.slice()),
      onProgress: (fraction) => progress.push(fraction),
    });
  }, 60_000);

  it('writes an H.264/AAC MP4 as long as the speech, a WebVTT sidecar and a thumbnail', async () => {
    const info = await probeMedia(result.videoPath);
    const video = info.streams.find((s) => s.codecType === 'video');
    const audio = info.streams.find((s) => s.codecType === 'audio');
    expect(video?.codecName).toBe('h264');
    expect(video?.pixelFormat).toBe('yuv420p');
    expect(audio?.codecName).toBe('aac');
    expect(Math.min(video?.width ?? 0, video?.height ?? 0)).toBeGreaterThanOrEqual(512);
    expect([video?.width, video?.height]).toEqual([result.width, result.height]);
    expect(Math.abs(info.durationMs - speech.durationMs)).toBeLessThan(500);
    expect(result.frames).toBe(frames.length);
    expect(result.frames).toBe(Math.ceil((speech.durationMs * FPS) / 1000));
    expect(result.face.confidence).toBeGreaterThan(0.5);

    const vtt = await readFile(result.vttPath, 'utf8');
    expect(vtt.startsWith('WEBVTT')).toBe(true);
    for (const word of speech.words) expect(vtt).toContain(word.text);
    const thumbnail = await sharp(result.thumbnailPath).metadata();
    expect(thumbnail).toMatchObject({ format: 'jpeg', width: result.width, height: result.height });
    expect(await readdir(join(workDir, 'first'))).toEqual(['portrait.jpg', 'portrait.mp4', 'portrait.vtt']);
  });

  it('reports progress from 0 to 1, rising', () => {
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(1);
    for (let i = 1; i < progress.length; i++)
      expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1] ?? 0);
    expect(progress.length).toBeGreaterThan(result.frames);
  });

  it('moves the mouth with the loudness of the speech (lip sync)', async () => {
    const face = await detectFace(image);
    const box = mouthBox(face, result.width, result.height);
    const first = frames[0] ?? new Uint8Array(0);
    const motion = frames.map((frame) => meanLumaDifference(frame, first, result.width, box));
    const loudness = frameRms(speech.audio.samples, speech.audio.sampleRate, frames.length);
    const r = pearson(motion, loudness);
    // A mouth that ignores the audio (or lags it by a syllable) stays far below this.
    expect(r).toBeGreaterThan(0.6);
    const shifted = pearson(motion.slice(8), loudness.slice(0, -8));
    expect(shifted).toBeLessThan(r);

    const [pauseStart, pauseEnd] = longestPause(speech);
    const inPause = (f: number) => f / FPS >= (pauseStart + 300) / 1000 && f / FPS <= (pauseEnd - 120) / 1000;
    const pauseMotion = motion.filter((_, f) => inPause(f));
    const speechMotion = motion.filter((_, f) => (loudness[f] ?? 0) > 0.1);
    expect(Math.max(...pauseMotion)).toBeLessThan(0.35 * Math.max(...speechMotion));

    const open = motion.indexOf(Math.max(...motion));
    const closed = motion.findIndex((_, f) => inPause(f));
    await savePng('open-mouth.png', frames[open] ?? first, result.width, result.height);
    await savePng('closed-mouth.png', frames[closed] ?? first, result.width, result.height);
  });

  it('keeps the photo’s own closed mouth during the pause (frame level)', async () => {
    const photo = await decodeRgb(image);
    const face = await detectFaceInRgb(photo);
    const size = frameSizeFor(photo);
    const placement = planPlacement(photo, face.box, size);
    const base = await composeBaseFrame(photo, placement);
    const rig = buildFaceRig(
      face.mesh.map((p) => placePoint(placement, p)),
      base,
      size.width,
      size.height,
    );
    const renderer = new PortraitFrameRenderer(base, rig);
    const animation = animateSpeech(speech, { fps: FPS, seed: 'portrait-test' });
    const poses = renderer.holdHeadPoses(animation.poses);
    const box = mouthBox(face, size.width, size.height);
    const still = renderer.baseFrame();
    const [pauseStart, pauseEnd] = longestPause(speech);
    let checked = 0;
    poses.forEach((pose, f) => {
      if (f / FPS < (pauseStart + 300) / 1000 || f / FPS > (pauseEnd - 120) / 1000) return;
      // The streamed frame is exactly what the renderer makes of the pose...
      expect(Buffer.from(renderer.renderFrame(pose)).equals(Buffer.from(frames[f] ?? []))).toBe(true);
      // ...and without the head motion its mouth is the photo's mouth, untouched.
      const noHead = renderer.renderFrame({ ...pose, blink: 0, head: { roll: 0, x: 0, y: 0, scale: 0 } });
      expect(meanLumaDifference(noHead, still, size.width, box)).toBe(0);
      checked++;
    });
    expect(checked).toBeGreaterThan(10);
    // While speaking, the same check fails: the mouth really moves.
    const loudest = animation.poses.reduce(
      (best, p, f) => (p.open > (animation.poses[best]?.open ?? 0) ? f : best),
      0,
    );
    const pose = animation.poses[loudest] ?? animation.poses[0];
    if (pose === undefined) throw new Error('no poses');
    const speaking = renderer.renderFrame({ ...pose, head: { roll: 0, x: 0, y: 0, scale: 0 } });
    expect(meanLumaDifference(speaking, still, size.width, box)).toBeGreaterThan(3);
    const blink = animation.poses.findIndex((p) => p.blink === 1);
    expect(blink).toBeGreaterThanOrEqual(0);
    await savePng('blink.png', frames[blink] ?? still, size.width, size.height);
  }, 30_000);

  it('renders the same frames and the same file again (deterministic)', async () => {
    const hash = createHash('sha256');
    const again = await renderTalkingPortrait({
      image,
      speech,
      outDir: join(workDir, 'second'),
      fps: FPS,
      seed: 'portrait-test',
      onFrame: (_, frame) => hash.update(frame),
    });
    const firstHash = createHash('sha256');
    for (const frame of frames) firstHash.update(frame);
    expect(hash.digest('hex')).toBe(firstHash.digest('hex'));
    const [a, b] = await Promise.all([readFile(result.videoPath), readFile(again.videoPath)]);
    expect(a.equals(b)).toBe(true);
    // The seed is derived from the inputs when none is given, so it is stable too.
    expect(again.seed).toBe('portrait-test');
  }, 60_000);

  it('stops on abort: no ffmpeg left, no output files', async () => {
    const outDir = join(workDir, 'cancelled');
    const controller = new AbortController();
    const before = new Set((await readdir(tmpdir())).filter((n) => n.startsWith('myspinbot-portrait-')));
    const error = await renderTalkingPortrait({
      image,
      speech,
      outDir,
      fps: FPS,
      signal: controller.signal,
      onProgress: (fraction) => {
        if (fraction > 0.3) controller.abort(new Error('user cancelled'));
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MySpinBotError);
    expect(error).toMatchObject({ code: 'NODE_CANCELLED' });
    expect(ffmpegProcessesUsing(outDir)).toEqual([]);
    expect(await readdir(outDir)).toEqual([]);
    const after = (await readdir(tmpdir())).filter(
      (n) => n.startsWith('myspinbot-portrait-') && !before.has(n),
    );
    expect(after).toEqual([]);
  }, 60_000);

  it('rejects unusable input before doing any work', async () => {
    await expect(
      renderTalkingPortrait({
        image,
        speech: { ...speech, audio: { sampleRate: 16000, samples: new Float32Array(0) } },
        outDir: join(workDir, 'bad'),
      }),
    ).rejects.toMatchObject({ code: 'NODE_INPUT_INVALID' });
    await expect(
      renderTalkingPortrait({ image, speech, outDir: join(workDir, 'bad'), fps: 5 }),
    ).rejects.toMatchObject({ code: 'NODE_INPUT_INVALID' });
    await expect(
      renderTalkingPortrait({ image, speech, outDir: join(workDir, 'bad'), baseName: '../escape' }),
    ).rejects.toMatchObject({ code: 'NODE_INPUT_INVALID' });
    const noFace = await sharp({ create: { width: 200, height: 200, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
    await expect(
      renderTalkingPortrait({ image: noFace, speech, outDir: join(workDir, 'bad') }),
    ).rejects.toMatchObject({
      code: 'NO_FACE_FOUND',
    });
  }, 30_000);

  it('muxes an external WAV at a requested size', async () => {
    const wavPath = join(workDir, 'speech.wav');
    await writeFile(wavPath, encodeWav(speech.audio));
    const withWav = await renderTalkingPortrait({
      image,
      speech,
      wavPath,
      outDir: join(workDir, 'wav'),
      width: 512,
      height: 640,
      captions: false,
      encoder: { preset: 'ultrafast' },
    });
    const info = await probeMedia(withWav.videoPath);
    expect(info.streams.find((s) => s.codecType === 'video')).toMatchObject({ width: 512, height: 640 });
    expect(info.streams.find((s) => s.codecType === 'audio')?.codecName).toBe('aac');
    expect(Math.abs(info.durationMs - speech.durationMs)).toBeLessThan(500);
  }, 60_000);
});
