/**
 * Times the built-in talking-portrait renderer against ffmpeg encoding a still image of the same size and
 * length with the same audio (PRODUCT.md §7: within 1.5x), in the same run: the still is encoded once with
 * the renderer's x264 settings and once with ffmpeg's default x264 preset (medium). Reports wall time and
 * CPU time (this process plus ffmpeg), and the per-frame render cost without encoding.
 * Usage (from the repo root):
 *   npx tsx packages/engines/scripts/render-timing.ts [photo.jpg] [--runs 3] [--preset veryfast] [--fps 25]
 * Writes its outputs under test-artifacts/render-timing/.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { encodeWav } from '../src/audio/wav.js';
import { buildStillImageEncodeArgs, type X264Preset } from '../src/media/ffmpeg-args.js';
import { probeMedia } from '../src/media/probe.js';
import { runMediaTool } from '../src/media/run-media-tool.js';
import { animateSpeech } from '../src/portrait/animation.js';
import { decodeRgb, detectFaceInRgb } from '../src/portrait/face-landmarks.js';
import { buildFaceRig } from '../src/portrait/face-rig.js';
import { PortraitFrameRenderer } from '../src/portrait/frame-renderer.js';
import { composeBaseFrame, frameSizeFor, placePoint, planPlacement } from '../src/portrait/photo-layout.js';
import { renderTalkingPortrait } from '../src/portrait/render-talking-portrait.js';
import { EspeakSpeechEngine } from '../src/speech/espeak-engine.js';

const NARRATION =
  'Is quite alright as long as you know that you are not identical with the way in which you appear. ' +
  'But if you are unconscious of this fact, then you get into trouble, because you believe you are what you seem.';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

/**
 * CPU seconds used so far by this process and by its finished children (ffmpeg), from /proc (Linux); the
 * comparison stays meaningful when other work shares the machine.
 */
async function cpuSeconds(): Promise<{ self: number; children: number }> {
  const stat = await readFile('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = 100;
  const at = (i: number): number => Number(fields[i - 3] ?? 0) / ticks;
  // Fields 14-17 (1-based): utime, stime, cutime, cstime.
  return { self: at(14) + at(15), children: at(16) + at(17) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const photoPath =
  process.argv[2]?.startsWith('--') === false ? process.argv[2] : '/work/shared/testdata/carl_jung.jpg';
const runs = Number(option('runs', '3'));
const preset = option('preset', 'veryfast') as X264Preset;
const fps = Number(option('fps', '25'));
const width = 720;
const height = 1280;
const outDir = resolve('test-artifacts/render-timing');
await mkdir(outDir, { recursive: true });

const image = await readFile(photoPath);
const speech = await new EspeakSpeechEngine().synthesize(NARRATION);
const wavPath = join(outDir, 'speech.wav');
await writeFile(wavPath, encodeWav(speech.audio));
const seconds = speech.audio.samples.length / speech.audio.sampleRate;
console.log(
  `speech: ${seconds.toFixed(2)} s, ${speech.words.length} words, ${speech.phonemes.length} phonemes`,
);

// Pure frame rendering, no encoder: the JS cost per frame.
{
  const photo = await decodeRgb(image);
  const face = await detectFaceInRgb(photo);
  const size = frameSizeFor(photo, width, height);
  const placement = planPlacement(photo, face.box, size);
  const base = await composeBaseFrame(photo, placement);
  const rig = buildFaceRig(
    face.mesh.map((p) => placePoint(placement, p)),
    base,
    size.width,
    size.height,
  );
  const renderer = new PortraitFrameRenderer(base, rig);
  const animation = animateSpeech(speech, { fps, seed: 'timing' });
  const poses = renderer.holdHeadPoses(animation.poses);
  const frame = new Uint8Array(renderer.frameBytes);
  for (const pose of poses) renderer.renderFrame(pose, frame);
  const start = performance.now();
  for (const pose of poses) renderer.renderFrame(pose, frame);
  const ms = performance.now() - start;
  console.log(
    `frame rendering only: ${animation.frameCount} frames in ${(ms / 1000).toFixed(2)} s = ${(ms / animation.frameCount).toFixed(2)} ms/frame`,
  );
}

const portraitTimes: number[] = [];
const stillTimes: number[] = [];
const portraitCpu: number[] = [];
const stillCpu: number[] = [];
const defaultStillTimes: number[] = [];
let stillImage = '';
for (let run = 0; run < runs; run++) {
  const cpu0 = await cpuSeconds();
  const start = performance.now();
  const result = await renderTalkingPortrait({
    image,
    speech,
    wavPath,
    outDir,
    baseName: 'portrait',
    width,
    height,
    fps,
    encoder: { preset },
  });
  portraitTimes.push((performance.now() - start) / 1000);
  const cpu1 = await cpuSeconds();
  portraitCpu.push(cpu1.self - cpu0.self + cpu1.children - cpu0.children);
  stillImage = result.thumbnailPath;

  const stillStart = performance.now();
  await runMediaTool(
    'ffmpeg',
    buildStillImageEncodeArgs({
      imagePath: stillImage,
      audio: { kind: 'file', path: wavPath },
      outPath: join(outDir, 'still.mp4'),
      durationMs: seconds * 1000,
      fps,
      width,
      height,
      h264: { preset },
      progress: false,
    }),
  );
  stillTimes.push((performance.now() - stillStart) / 1000);
  const cpu2 = await cpuSeconds();

  const defaultStart = performance.now();
  await runMediaTool(
    'ffmpeg',
    buildStillImageEncodeArgs({
      imagePath: stillImage,
      audio: { kind: 'file', path: wavPath },
      outPath: join(outDir, 'still-medium.mp4'),
      durationMs: seconds * 1000,
      fps,
      width,
      height,
      h264: { preset: 'medium' },
      progress: false,
    }),
  );
  defaultStillTimes.push((performance.now() - defaultStart) / 1000);
  stillCpu.push(cpu2.self - cpu1.self + cpu2.children - cpu1.children);
  console.log(
    `run ${run + 1}: talking portrait ${portraitTimes.at(-1)?.toFixed(2)} s wall / ${portraitCpu.at(-1)?.toFixed(2)} s CPU` +
      ` (node ${(cpu1.self - cpu0.self).toFixed(2)} + ffmpeg ${(cpu1.children - cpu0.children).toFixed(2)}),` +
      ` still image ${stillTimes.at(-1)?.toFixed(2)} s wall / ${stillCpu.at(-1)?.toFixed(2)} s CPU,` +
      ` still image at preset medium ${defaultStillTimes.at(-1)?.toFixed(2)} s wall`,
  );
}

const portrait = median(portraitTimes);
const still = median(stillTimes);
const info = await probeMedia(join(outDir, 'portrait.mp4'));
console.log(
  `median over ${runs} runs (${width}x${height}, ${fps} fps, ${seconds.toFixed(2)} s, preset ${preset}): ` +
    `talking portrait ${portrait.toFixed(2)} s, still ${still.toFixed(2)} s, ratio ${(portrait / still).toFixed(2)} ` +
    `(target <= 1.5); real-time factor ${(seconds / portrait).toFixed(2)}x`,
);
const defaultStill = median(defaultStillTimes);
console.log(
  `against the still at ffmpeg's default preset (medium): ${defaultStill.toFixed(2)} s, ratio ${(portrait / defaultStill).toFixed(2)}`,
);
console.log(
  `CPU: talking portrait ${median(portraitCpu).toFixed(2)} s, still ${median(stillCpu).toFixed(2)} s, ratio ${(median(portraitCpu) / median(stillCpu)).toFixed(2)}`,
);
console.log(
  `output: ${info.streams.map((s) => `${s.codecType}:${s.codecName}`).join(', ')}, ${info.durationMs} ms`,
);
