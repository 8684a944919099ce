import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TrainOptions } from '@myspinbot/contracts';
import { encodeWav } from '@myspinbot/engines/audio';
import { renderTalkingPortrait } from '@myspinbot/engines/portrait';
import type { ServiceDefinition } from '@myspinbot/runtime';
import { inWorkDir, putArtifactFile, readArtifact, refIn, slot } from '../artifacts.js';
import type { PlaneDeps } from '../deps.js';
import type { EngineSet } from '../engines.js';
import { loadSpeech } from './speech.js';

/**
 * render_video: the built-in talking portrait: face and mouth landmarks from the photo, lips and jaw
 * driven by the speech (visemes from the phoneme timings, blended with the loudness envelope), blinks and
 * slight head motion, karaoke captions, H.264 + AAC MP4 with faststart, a WebVTT sidecar and a thumbnail.
 */
export function renderVideo(engines: EngineSet): ServiceDefinition<PlaneDeps> {
  return {
    name: 'render_video',
    plane: 'python',
    description: 'Renders the talking portrait from the photo and the speech (built-in CPU renderer)',
    engine: 'builtin-portrait',
    timeoutMs: 3_600_000,
    async run(input, ctx) {
      const image = refIn(slot(input, 'assets').image, 'assets.image', true);
      const options = slot(ctx.context as Record<string, unknown>, 'options') as TrainOptions;
      const speech = await loadSpeech(ctx, slot(input, 'speech'));
      const photo = await readArtifact(ctx, image);
      ctx.progress(0.02, 'finding the face');
      return inWorkDir(ctx, async (dir) => {
        const wavPath = join(dir, 'speech.wav');
        await writeFile(wavPath, encodeWav(speech.audio));
        const result = await renderTalkingPortrait({
          image: photo,
          speech,
          wavPath,
          outDir: dir,
          baseName: 'video',
          ...(options.width ? { width: options.width } : {}),
          ...(options.height ? { height: options.height } : {}),
          fps: options.fps ?? engines.portrait.fps,
          captions: options.captions ?? true,
          ...(options.seed ? { seed: options.seed } : {}),
          encoder: { crf: engines.portrait.crf, preset: engines.portrait.preset },
          signal: ctx.signal,
          onProgress: (f, m) => ctx.progress(0.02 + f * 0.93, m),
        });
        const video = await putArtifactFile(ctx, 'video.mp4', result.videoPath, 'video/mp4');
        const captions = await putArtifactFile(ctx, 'captions.vtt', result.vttPath, 'text/vtt; charset=utf-8');
        const thumbnail = await putArtifactFile(ctx, 'thumbnail.jpg', result.thumbnailPath, 'image/jpeg');
        ctx.progress(1);
        return {
          video,
          captions,
          thumbnail,
          width: result.width,
          height: result.height,
          fps: result.fps,
          frames: result.frames,
          durationMs: result.durationMs,
          seed: result.seed,
          face: result.face,
          artifacts: [video, captions, thumbnail],
        };
      });
    },
  };
}
