import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MySpinBotError, type TrainOptions } from '@myspinbot/contracts';
import { buildWebVtt, layoutCaptions } from '@myspinbot/engines/captions';
import type { ComfyPortraitRenderer } from '@myspinbot/engines/comfyui';
import { probeMedia, runMediaTool } from '@myspinbot/engines/media';
import type { ServiceDefinition } from '@myspinbot/runtime';
import { inWorkDir, putArtifact, putArtifactFile, readArtifact, readJsonArtifact, refIn, slot } from '../artifacts.js';
import type { PlaneDeps } from '../deps.js';
import type { SpeechTimings } from './speech.js';

/**
 * render_video_comfyui: renders the talking portrait with the user's ComfyUI workflow (for example
 * InfiniteTalk or SadTalker on a GPU machine) with the portrait and the speech injected, its progress
 * relayed. The output has the same shape as render_video's, so finalize_video takes either; captions
 * (WebVTT) come from the speech timings and the thumbnail from the rendered video.
 */
export function renderVideoComfy(renderer: ComfyPortraitRenderer): ServiceDefinition<PlaneDeps> {
  return {
    name: 'render_video_comfyui',
    plane: 'python',
    description: 'Renders the talking portrait with a ComfyUI workflow (GPU machine)',
    engine: `comfyui:${renderer.describe().url}`,
    timeoutMs: 3_600_000,
    async run(input, ctx) {
      const image = refIn(slot(input, 'assets').image, 'assets.image', true);
      const speech = slot(input, 'speech');
      const audioRef = refIn(speech.audio, 'speech.audio', true);
      const timings = await readJsonArtifact<SpeechTimings>(ctx, refIn(speech.timings, 'speech.timings', true));
      const narration = typeof slot(input, 'script').narration === 'string' ? String(slot(input, 'script').narration) : '';
      const options = slot(ctx.context as Record<string, unknown>, 'options') as TrainOptions;
      const rendered = await renderer.render({
        image: await readArtifact(ctx, image),
        imageName: image.name,
        audioWav: await readArtifact(ctx, audioRef),
        narration,
        seed: options.seed ?? ctx.jobId,
        signal: ctx.signal,
        onProgress: (f, m) => ctx.progress(f * 0.9, m),
      });
      if (!rendered.mediaType.startsWith('video/')) {
        throw new MySpinBotError('SERVICE_FAILED', `the ComfyUI workflow produced ${rendered.mediaType}, not a video`);
      }
      return inWorkDir(ctx, async (dir) => {
        const videoPath = join(dir, 'video.mp4');
        await writeFile(videoPath, rendered.video);
        const info = await probeMedia(videoPath);
        const stream = info.streams.find((s) => s.codecType === 'video');
        if (!stream?.width || !stream.height) throw new MySpinBotError('MEDIA_INVALID', 'the ComfyUI output has no video stream');
        const thumbPath = join(dir, 'thumbnail.jpg');
        await runMediaTool('ffmpeg', ['-hide_banner', '-nostdin', '-y', '-ss', String(Math.min(1, info.durationMs / 2000)), '-i', videoPath, '-frames:v', '1', '-q:v', '3', thumbPath], { signal: ctx.signal });
        const video = await putArtifactFile(ctx, 'video.mp4', videoPath, rendered.mediaType);
        const thumbnail = await putArtifactFile(ctx, 'thumbnail.jpg', thumbPath, 'image/jpeg');
        const captions = await putArtifact(ctx, 'captions.vtt', buildWebVtt(layoutCaptions(timings.words)), 'text/vtt; charset=utf-8');
        ctx.progress(1);
        return {
          video,
          captions,
          thumbnail,
          width: stream.width,
          height: stream.height,
          fps: stream.frameRate ?? null,
          durationMs: info.durationMs,
          engine: 'comfyui',
          artifacts: [video, captions, thumbnail],
        };
      });
    },
  };
}
