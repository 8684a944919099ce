/**
 * The built-in talking-portrait renderer: photo + speech -> MP4 (H.264/AAC) with burned-in karaoke captions,
 * a WebVTT sidecar and a JPEG thumbnail. Rules kept:
 * - the face is found once, the photo decoded and placed once; every frame is rendered in this process from
 *   the pose track and streamed to ffmpeg's stdin, one frame in flight (backpressure);
 * - the same inputs (and seed) give the same frames, byte for byte;
 * - the video is written under a temporary name and renamed into place only when ffmpeg succeeded, and the
 *   VTT and thumbnail are written after it (the thumbnail is encoded in memory while ffmpeg finishes), so a
 *   failed or cancelled run leaves none of its outputs behind;
 *   the temporary folder (captions, raw audio) is always removed;
 * - an abort kills ffmpeg and the call rejects with NODE_CANCELLED; ffmpeg failures are MEDIA_TOOL_FAILED.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MySpinBotError } from '@myspinbot/contracts';
import sharp from 'sharp';
import { buildAssSubtitles } from '../captions/ass.js';
import { layoutCaptions } from '../captions/layout.js';
import { captionGeometry } from '../captions/style.js';
import { buildWebVtt } from '../captions/vtt.js';
import { type AudioInput, buildRawVideoEncodeArgs, type X264Preset } from '../media/ffmpeg-args.js';
import { startMediaTool } from '../media/run-media-tool.js';
import type { EngineCallOptions, SpeechResult } from '../types.js';
import { animateSpeech, type FramePose } from './animation.js';
import { decodeRgb, detectFaceInRgb } from './face-landmarks.js';
import { buildFaceRig } from './face-rig.js';
import { PortraitFrameRenderer } from './frame-renderer.js';
import {
  composeBaseFrame,
  frameSizeFor,
  type PortraitFit,
  placePoint,
  planPlacement,
} from './photo-layout.js';
import { yuv420ToRgb } from './yuv.js';

export interface RenderTalkingPortraitOptions extends EngineCallOptions {
  /** The portrait photo (any format sharp reads). */
  image: Buffer;
  speech: SpeechResult;
  /** The speech audio as a file ffmpeg reads; when absent, `speech.audio` is muxed. */
  wavPath?: string;
  /** Folder for the outputs (created when missing). */
  outDir: string;
  /** Output file names without extension. Default 'portrait'. */
  baseName?: string;
  /** Frame size (even numbers); default from the photo with the short side 720. */
  width?: number;
  height?: number;
  /** How the photo fills a frame of another aspect. Default 'auto'. */
  fit?: PortraitFit;
  /** Frames per second, 10..60. Default 25. */
  fps?: number;
  /** Burn karaoke captions into the video. Default true (the WebVTT sidecar is written either way). */
  captions?: boolean;
  /** Seed of the idle motion (blinks, head sway); default derived from the inputs. */
  seed?: string;
  /** x264 settings. Defaults: crf 20, preset 'veryfast', threads chosen by x264. */
  encoder?: { crf?: number; preset?: X264Preset; threads?: number };
  /**
   * Sees every raw frame (4:2:0, BT.709 limited range, width*height*3/2 bytes) before it is encoded, e.g. for
   * previews or checks. The buffer is reused for the next frame: copy what you keep.
   */
  onFrame?: (index: number, frame: Uint8Array) => void;
}

export interface TalkingPortraitResult {
  videoPath: string;
  vttPath: string;
  thumbnailPath: string;
  width: number;
  height: number;
  fps: number;
  frames: number;
  durationMs: number;
  /** The seed the idle motion used. */
  seed: string;
  face: { box: [number, number, number, number]; confidence: number };
}

/** A talking-portrait renderer; the built-in one below, or an adapter (e.g. a ComfyUI workflow). */
export interface PortraitRenderer {
  readonly id: string;
  render(options: RenderTalkingPortraitOptions): Promise<TalkingPortraitResult>;
}

const MAX_DURATION_MS = 30 * 60 * 1000;

function cancelled(signal: AbortSignal | undefined): MySpinBotError {
  return new MySpinBotError('NODE_CANCELLED', 'The portrait render was cancelled', { cause: signal?.reason });
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelled(signal);
}

function validate(options: RenderTalkingPortraitOptions): { fps: number } {
  const fps = options.fps ?? 25;
  if (!Number.isFinite(fps) || fps < 10 || fps > 60) {
    throw new MySpinBotError('NODE_INPUT_INVALID', `fps must be within 10..60, got ${fps}`);
  }
  const { audio } = options.speech;
  if (!(audio.sampleRate >= 8000 && audio.sampleRate <= 192_000) || audio.samples.length === 0) {
    throw new MySpinBotError(
      'NODE_INPUT_INVALID',
      'The speech audio is empty or has an invalid sample rate',
      {
        details: { sampleRate: audio.sampleRate, samples: audio.samples.length },
      },
    );
  }
  const durationMs = (audio.samples.length / audio.sampleRate) * 1000;
  if (durationMs > MAX_DURATION_MS) {
    throw new MySpinBotError(
      'NODE_INPUT_INVALID',
      `The speech is longer than ${MAX_DURATION_MS / 60000} minutes`,
    );
  }
  if (options.baseName !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$/.test(options.baseName)) {
    throw new MySpinBotError(
      'NODE_INPUT_INVALID',
      'baseName may only hold letters, digits, ".", "_" and "-"',
    );
  }
  return { fps };
}

/** A seed that changes with any input: the photo, the audio and the words. */
export function deriveSeed(image: Buffer, speech: SpeechResult): string {
  const hash = createHash('sha256');
  hash.update(image);
  const { samples } = speech.audio;
  hash.update(Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength));
  hash.update(speech.words.map((w) => `${w.text}@${w.startMs}`).join(' '));
  return hash.digest('hex').slice(0, 32);
}

/** The frame shown as the thumbnail: eyes open, mouth at most half open, about a third into the clip. */
export function pickThumbnailFrame(poses: readonly FramePose[]): number {
  let best = 0;
  let bestScore = Number.POSITIVE_INFINITY;
  const target = Math.floor(poses.length / 3);
  poses.forEach((pose, index) => {
    if (pose.blink > 0) return;
    const score = Math.abs(index - target) + (pose.open > 0.35 ? 1e6 : 0);
    if (score < bestScore) {
      best = index;
      bestScore = score;
    }
  });
  return best;
}

/** Renders a talking portrait; see the module comment for the rules. */
export async function renderTalkingPortrait(
  options: RenderTalkingPortraitOptions,
): Promise<TalkingPortraitResult> {
  const { signal, onProgress, speech } = options;
  const { fps } = validate(options);
  throwIfAborted(signal);
  onProgress?.(0, 'finding the face');

  const photo = await decodeRgb(options.image);
  const face = await detectFaceInRgb(photo);
  throwIfAborted(signal);
  const size = frameSizeFor(photo, options.width, options.height);
  const placement = planPlacement(photo, face.box, size, options.fit ?? 'auto');
  const baseRgb = await composeBaseFrame(photo, placement);
  const rig = buildFaceRig(
    face.mesh.map((p) => placePoint(placement, p)),
    baseRgb,
    size.width,
    size.height,
  );
  const renderer = new PortraitFrameRenderer(baseRgb, rig);
  const seed = options.seed ?? deriveSeed(options.image, speech);
  const animation = animateSpeech(speech, { fps, seed });
  const poses = renderer.holdHeadPoses(animation.poses);
  const thumbnailIndex = pickThumbnailFrame(poses);
  onProgress?.(0.03, 'face found');

  const baseName = options.baseName ?? 'portrait';
  await mkdir(options.outDir, { recursive: true });
  const videoPath = join(options.outDir, `${baseName}.mp4`);
  const vttPath = join(options.outDir, `${baseName}.vtt`);
  const thumbnailPath = join(options.outDir, `${baseName}.jpg`);
  const partialPath = join(options.outDir, `.${baseName}.${randomBytes(6).toString('hex')}.mp4.part`);
  const work = await mkdtemp(join(tmpdir(), 'myspinbot-portrait-'));

  try {
    let audio: AudioInput;
    if (options.wavPath !== undefined) {
      audio = { kind: 'file', path: options.wavPath };
    } else {
      const rawPath = join(work, 'speech.f32');
      const { samples, sampleRate } = speech.audio;
      await writeFile(rawPath, Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength));
      audio = { kind: 'rawFloat32', path: rawPath, sampleRate };
    }

    const geometry = captionGeometry(size.width, size.height);
    const segments = layoutCaptions(speech.words, { maxCharsPerLine: geometry.maxCharsPerLine });
    let subtitles: { path: string } | undefined;
    if (options.captions !== false && segments.length > 0) {
      const assPath = join(work, 'captions.ass');
      await writeFile(
        assPath,
        buildAssSubtitles(segments, { videoWidth: size.width, videoHeight: size.height }),
      );
      subtitles = { path: assPath };
    }

    const args = buildRawVideoEncodeArgs({
      video: { pixelFormat: 'yuv420p', width: size.width, height: size.height, fps },
      audio,
      outPath: partialPath,
      ...(subtitles === undefined ? {} : { subtitles }),
      h264: options.encoder ?? {},
      progress: false,
    });
    throwIfAborted(signal);
    // ffmpeg stops on the caller's abort, or when rendering itself fails (see below).
    const stop = new AbortController();
    const ffmpeg = startMediaTool('ffmpeg', args, {
      stdin: true,
      signal: signal === undefined ? stop.signal : AbortSignal.any([signal, stop.signal]),
    });

    const frame = new Uint8Array(renderer.frameBytes);
    let thumbnail: Uint8Array | undefined;
    let writeFailed = false;
    try {
      for (let index = 0; index < animation.frameCount && !writeFailed; index++) {
        if (signal?.aborted) break;
        const pose = poses[index];
        if (pose === undefined) break;
        renderer.renderFrame(pose, frame);
        if (index === thumbnailIndex) thumbnail = frame.slice();
        options.onFrame?.(index, frame);
        // A failed write means ffmpeg is gone: its exit status (or the abort) explains why, below.
        await ffmpeg.write(frame).catch(() => {
          writeFailed = true;
        });
        onProgress?.(0.03 + (0.95 * (index + 1)) / animation.frameCount, 'rendering frames');
      }
      await ffmpeg.end();
    } catch (error) {
      stop.abort(error);
      await ffmpeg.done.catch(() => undefined);
      throw error;
    }
    // The thumbnail is encoded while ffmpeg finishes the video; it is written only once the video is in place.
    const thumbnailRgb = yuv420ToRgb(thumbnail ?? renderer.baseFrame(), size.width, size.height);
    const thumbnailJpeg = await sharp(thumbnailRgb, {
      raw: { width: size.width, height: size.height, channels: 3 },
    })
      .jpeg({ quality: 88, mozjpeg: false })
      .toBuffer();
    await ffmpeg.done;
    throwIfAborted(signal);

    await rename(partialPath, videoPath);
    await writeFile(vttPath, buildWebVtt(segments, { wordTimestamps: true }));
    await writeFile(thumbnailPath, thumbnailJpeg);
    onProgress?.(1, 'done');
    return {
      videoPath,
      vttPath,
      thumbnailPath,
      width: size.width,
      height: size.height,
      fps,
      frames: animation.frameCount,
      durationMs: Math.round(animation.durationMs),
      seed,
      face: { box: face.box, confidence: face.confidence },
    };
  } catch (error) {
    await rm(partialPath, { force: true });
    if (signal?.aborted) throw cancelled(signal);
    throw error;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The built-in renderer behind the PortraitRenderer port. */
export const builtInPortraitRenderer: PortraitRenderer = {
  id: 'builtin-warp',
  render: renderTalkingPortrait,
};
