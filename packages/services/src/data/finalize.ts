import { join } from 'node:path';
import { MySpinBotError, type TrainOptions } from '@myspinbot/contracts';
import { applyProgressLine, type FfmpegProgress, progressFraction, runMediaTool } from '@myspinbot/engines/media';
import type { ServiceDefinition } from '@myspinbot/runtime';
import { inWorkDir, putArtifactFile, refIn, slot } from '../artifacts.js';
import type { PlaneDeps } from '../deps.js';

/** ffmpeg arguments that scale a video by `factor` (Lanczos, even sides), copying the audio, faststart. */
export function upscaleArgs(input: string, output: string, width: number, height: number, factor: number): string[] {
  const even = (n: number) => Math.max(2, Math.round((n * factor) / 2) * 2);
  return [
    '-hide_banner',
    '-nostdin',
    '-y',
    '-i',
    input,
    '-vf',
    `scale=${even(width)}:${even(height)}:flags=lanczos`,
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '18',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'copy',
    '-movflags',
    '+faststart',
    '-progress',
    'pipe:1',
    '-nostats',
    output,
  ];
}

/**
 * finalize_video: the deliverable. Without upscaling, the rendered MP4 (already H.264 + AAC, faststart,
 * captions burned in) is the final video as it is; with options.upscale > 1, ffmpeg scales it (Lanczos).
 */
export const finalizeVideo: ServiceDefinition<PlaneDeps> = {
  name: 'finalize_video',
  plane: 'python',
  description: 'Produces the final MP4 (optional ffmpeg upscaling), with its thumbnail and captions',
  engine: 'ffmpeg',
  timeoutMs: 3_600_000,
  async run(input, ctx) {
    const render = slot(input, 'render');
    const video = refIn(render.video, 'render.video', true);
    const thumbnail = refIn(render.thumbnail, 'render.thumbnail', false);
    const captions = refIn(render.captions, 'render.captions', false);
    const width = Number(render.width);
    const height = Number(render.height);
    const durationMs = Number(render.durationMs);
    const factor = (slot(ctx.context as Record<string, unknown>, 'options') as TrainOptions).upscale ?? 1;
    if (factor <= 1) {
      ctx.progress(1);
      return { video, thumbnail, captions, width, height, durationMs, upscaled: false, artifacts: [] };
    }
    if (!Number.isFinite(width) || !Number.isFinite(height)) throw new MySpinBotError('NODE_INPUT_INVALID', 'the render output has no size');
    return inWorkDir(ctx, async (dir) => {
      const source = join(dir, 'video.mp4');
      const target = join(dir, 'final.mp4');
      await ctx.deps.store.downloadTo(video.key, source);
      let progress: FfmpegProgress = { done: false };
      await runMediaTool('ffmpeg', upscaleArgs(source, target, width, height, factor), {
        signal: ctx.signal,
        onStdoutLine: (line) => {
          progress = applyProgressLine(progress, line);
          ctx.progress(progressFraction(progress.outTimeMs, durationMs) * 0.95, 'upscaling');
        },
      });
      const final = await putArtifactFile(ctx, 'final.mp4', target, 'video/mp4');
      ctx.progress(1);
      const even = (n: number) => Math.max(2, Math.round((n * factor) / 2) * 2);
      return { video: final, thumbnail, captions, width: even(width), height: even(height), durationMs, upscaled: true, artifacts: [final] };
    });
  },
};
