/**
 * Suite 3, rendering (PRODUCT.md §7): the built-in talking portrait, 10 s at 720x1280 with the production
 * encoder settings (config/default.json engines.portrait), against ffmpeg encoding the same 10 s from a
 * still image of the same size with the same x264 settings and audio (the approach of
 * packages/engines/scripts/render-timing.ts). The still is the render's own thumbnail. Wall time decides;
 * CPU time (this process + ffmpeg, from /proc) shows where it goes. ffmpeg at its default preset (medium)
 * is shown for context. Outputs go to a temporary folder, removed afterwards.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@myspinbot/config';
import type { SpeechResult } from '@myspinbot/engines';
import { encodeWav } from '@myspinbot/engines/audio';
import { buildStillImageEncodeArgs, runMediaTool, type X264Preset } from '@myspinbot/engines/media';
import { renderTalkingPortrait } from '@myspinbot/engines/portrait';
import { EspeakSpeechEngine } from '@myspinbot/engines/speech';
import { cpuSeconds, load } from './machine.js';
import { NARRATION, PORTRAIT } from './paths.js';
import type { Row, SuiteResult } from './report.js';
import { fmtNum, median, ratio } from './stats.js';

const SECONDS = 10;
const WIDTH = 720;
const HEIGHT = 1280;

/** The narration padded with silence (or cut) to exactly `seconds`; word timings stay as spoken. */
function toLength(speech: SpeechResult, seconds: number): SpeechResult {
  const samples = new Float32Array(Math.round(seconds * speech.audio.sampleRate));
  samples.set(speech.audio.samples.subarray(0, samples.length));
  return { ...speech, audio: { sampleRate: speech.audio.sampleRate, samples }, durationMs: seconds * 1000 };
}

interface Timed {
  wall: number;
  cpu: number;
  /** CPU of ffmpeg (waited-for children) within `cpu`. */
  childCpu: number;
}

async function timed(work: () => Promise<unknown>): Promise<Timed> {
  const cpu0 = await cpuSeconds();
  const start = performance.now();
  await work();
  const wall = (performance.now() - start) / 1000;
  const cpu1 = await cpuSeconds();
  const childCpu = cpu1.children - cpu0.children;
  return { wall, cpu: cpu1.self - cpu0.self + childCpu, childCpu };
}

const secondsText = (t: { wall: number; cpu: number }) => `${fmtNum(t.wall)} s wall, ${fmtNum(t.cpu)} s CPU`;

function mid(list: readonly Timed[]): Timed {
  return {
    wall: median(list.map((t) => t.wall)),
    cpu: median(list.map((t) => t.cpu)),
    childCpu: median(list.map((t) => t.childCpu)),
  };
}

export async function renderSuite(quick: boolean, log: (line: string) => void): Promise<SuiteResult> {
  const runs = quick ? 1 : 3;
  const startedAt = new Date();
  const loadStart = load();
  const began = performance.now();
  const { engines } = loadConfig({ role: 'embedded', env: {} });
  const { fps, crf } = engines.portrait;
  const preset = engines.portrait.preset as X264Preset;
  const dir = await mkdtemp(join(tmpdir(), 'myspinbot-bench-render-'));
  try {
    const image = await readFile(PORTRAIT);
    const speech = toLength(await new EspeakSpeechEngine().synthesize(NARRATION), SECONDS);
    const wavPath = join(dir, 'speech.wav');
    await writeFile(wavPath, encodeWav(speech.audio));
    const portrait: Timed[] = [];
    const still: Timed[] = [];
    const medium: Timed[] = [];
    let frames = 0;
    for (let run = 0; run < runs; run++) {
      log(`run ${run + 1} of ${runs}: talking portrait, still (${preset}), still (medium)`);
      let thumbnail = '';
      portrait.push(
        await timed(async () => {
          const result = await renderTalkingPortrait({
            image,
            speech,
            wavPath,
            outDir: dir,
            baseName: 'portrait',
            width: WIDTH,
            height: HEIGHT,
            fps,
            encoder: { crf, preset },
          });
          thumbnail = result.thumbnailPath;
          frames = result.frames;
        }),
      );
      const encodeStill = (h264: { crf: number; preset: X264Preset }, name: string) =>
        runMediaTool(
          'ffmpeg',
          buildStillImageEncodeArgs({
            imagePath: thumbnail,
            audio: { kind: 'file', path: wavPath },
            outPath: join(dir, name),
            durationMs: SECONDS * 1000,
            fps,
            width: WIDTH,
            height: HEIGHT,
            h264,
            progress: false,
          }),
        );
      still.push(await timed(() => encodeStill({ crf, preset }, 'still.mp4')));
      medium.push(await timed(() => encodeStill({ crf, preset: 'medium' }, 'still-medium.mp4')));
    }
    const p = mid(portrait);
    const s = mid(still);
    const m = mid(medium);
    const wallRatio = ratio(p.wall, s.wall);
    const rows: Row[] = [
      {
        name: `talking portrait ${SECONDS} s ${WIDTH}x${HEIGHT} vs ffmpeg from a still (same x264 settings), wall`,
        value: secondsText(p),
        baseline: secondsText(s),
        ratio: wallRatio,
        target: '<= 1.5x',
        pass: wallRatio === null ? null : wallRatio <= 1.5,
      },
      {
        name: 'same, CPU time (this process + ffmpeg)',
        value: `${fmtNum(p.cpu)} s (renderer ${fmtNum(p.cpu - p.childCpu)} + ffmpeg ${fmtNum(p.childCpu)})`,
        baseline: `${fmtNum(s.cpu)} s`,
        ratio: ratio(p.cpu, s.cpu),
        target: '',
        pass: null,
      },
      {
        name: 'talking portrait vs ffmpeg still at its default preset (medium), wall',
        value: secondsText(p),
        baseline: secondsText(m),
        ratio: ratio(p.wall, m.wall),
        target: '',
        pass: null,
      },
      {
        name: 'talking portrait real-time factor (video seconds per wall second)',
        value: `${fmtNum(SECONDS / p.wall)}x`,
        baseline: `${fmtNum(SECONDS / s.wall)}x`,
        ratio: ratio(SECONDS / p.wall, SECONDS / s.wall),
        target: '> 1x (faster than real time)',
        pass: SECONDS / p.wall > 1,
      },
    ];
    const notes = [
      `Median of ${runs} run(s). ${frames} frames at ${fps} fps, x264 preset ${preset}, crf ${crf}, AAC audio, captions burned in; ` +
        `narration (${speech.words.length} words) padded with silence to ${SECONDS} s. The still is the render's thumbnail at ${WIDTH}x${HEIGHT}.`,
      'ffmpeg is the bundled @ffmpeg-installer binary the renderer itself uses; both sides let x264 choose its thread count.',
      'The renderer draws each frame on the calling thread and hands it to ffmpeg, whose input thread queues it while the ' +
        'encoder works on earlier frames, so rendering and encoding overlap. CPU comes from /proc: utime + stime of this ' +
        'process (all its threads: face detection, frame rendering, thumbnail) plus the waited-for ffmpeg children.',
    ];
    return {
      suite: 'render',
      title: 'Rendering',
      rows,
      notes,
      startedAt,
      seconds: (performance.now() - began) / 1000,
      loadStart,
      loadEnd: load(),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
