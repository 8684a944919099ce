import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MySpinBotError } from '@myspinbot/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRawVideoEncodeArgs } from '../src/media/ffmpeg-args.js';
import { parseProbeJson, probeMedia } from '../src/media/probe.js';
import { applyProgressLine, type FfmpegProgress } from '../src/media/progress.js';
import { runMediaTool, startMediaTool } from '../src/media/run-media-tool.js';
import { mediaToolPath } from '../src/media/tool-paths.js';

const WIDTH = 160;
const HEIGHT = 96;
const FPS = 25;
const SECONDS = 2;
const SAMPLE_RATE = 16_000;

let dir: string;

/** A frame whose colours move with the frame number, so the encoder has real work. */
function frame(index: number): Buffer {
  const buf = Buffer.alloc(WIDTH * HEIGHT * 3);
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const o = (y * WIDTH + x) * 3;
      buf[o] = (x * 2 + index * 4) & 255;
      buf[o + 1] = (y * 3) & 255;
      buf[o + 2] = (x + y + index * 8) & 255;
    }
  }
  return buf;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  // A directory name with filtergraph-special characters proves the subtitle path escaping.
  dir = join(await mkdtemp(join(tmpdir(), 'media-encode-')), "it's, [odd]; dir");
  await mkdir(dir, { recursive: true });
  const samples = new Float32Array(SAMPLE_RATE * SECONDS);
  for (let i = 0; i < samples.length; i++) samples[i] = 0.3 * Math.sin((2 * Math.PI * 220 * i) / SAMPLE_RATE);
  await writeFile(join(dir, 'audio.f32'), Buffer.from(samples.buffer));
  await writeFile(
    join(dir, 'captions.ass'),
    [
      '[Script Info]',
      'ScriptType: v4.00+',
      `PlayResX: ${WIDTH}`,
      `PlayResY: ${HEIGHT}`,
      '',
      '[V4+ Styles]',
      'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding',
      'Style: Default,DejaVu Sans,14,&H0000FFFF,&H00FFFFFF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,1,0,2,4,4,4,1',
      '',
      '[Events]',
      'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
      'Dialogue: 0,0:00:00.00,0:00:02.00,Default,,0,0,0,,{\\k50}hello {\\k50}world',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await rm(join(dir, '..'), { recursive: true, force: true });
});

describe('encoding rawvideo from stdin', () => {
  it('produces an H.264 + AAC MP4 with burned-in subtitles and reports progress', async () => {
    const outPath = join(dir, 'out.mp4');
    const args = buildRawVideoEncodeArgs({
      video: { pixelFormat: 'rgb24', width: WIDTH, height: HEIGHT, fps: FPS },
      audio: { kind: 'rawFloat32', path: join(dir, 'audio.f32'), sampleRate: SAMPLE_RATE },
      outPath,
      subtitles: { path: join(dir, 'captions.ass') },
      h264: { preset: 'ultrafast', threads: 1 },
    });
    let progress: FfmpegProgress = { done: false };
    const run = startMediaTool('ffmpeg', args, {
      stdin: true,
      onStdoutLine: (line) => {
        progress = applyProgressLine(progress, line);
      },
    });
    for (let i = 0; i < FPS * SECONDS; i++) await run.write(frame(i));
    await run.end();
    const result = await run.done;
    expect(result.stderrTail.filter((line) => /fontconfig/i.test(line))).toEqual([]);
    expect(progress.done).toBe(true);
    expect(progress.frame).toBe(FPS * SECONDS);

    const info = await probeMedia(outPath);
    const video = info.streams.find((s) => s.codecType === 'video');
    const audio = info.streams.find((s) => s.codecType === 'audio');
    expect(video).toMatchObject({ codecName: 'h264', width: WIDTH, height: HEIGHT, pixelFormat: 'yuv420p' });
    expect(video?.frameRate).toBe(FPS);
    expect(audio).toMatchObject({ codecName: 'aac', channels: 1 });
    expect(Math.abs(info.durationMs - SECONDS * 1000)).toBeLessThan(150);
    // +faststart puts the moov atom before the media data.
    const head = (await readFile(outPath)).subarray(0, 4096).toString('latin1');
    expect(head.indexOf('moov')).toBeGreaterThan(0);
    expect(head.indexOf('moov')).toBeLessThan(head.indexOf('mdat') < 0 ? 4096 : head.indexOf('mdat'));
  });

  it('kills ffmpeg on abort and rejects with NODE_CANCELLED', async () => {
    const controller = new AbortController();
    const run = startMediaTool(
      'ffmpeg',
      buildRawVideoEncodeArgs({
        video: { pixelFormat: 'rgb24', width: WIDTH, height: HEIGHT, fps: FPS },
        audio: { kind: 'rawFloat32', path: join(dir, 'audio.f32'), sampleRate: SAMPLE_RATE },
        outPath: join(dir, 'aborted.mp4'),
        h264: { preset: 'ultrafast' },
      }),
      { stdin: true, signal: controller.signal },
    );
    const pid = run.pid;
    expect(pid).toBeTypeOf('number');
    await run.write(frame(0));
    controller.abort(new Error('user cancelled'));
    await expect(run.done).rejects.toMatchObject({ code: 'NODE_CANCELLED' });
    await expect(run.write(frame(1))).rejects.toBeInstanceOf(Error);
    expect(isRunning(pid ?? -1)).toBe(false);
  });

  it('does not start at all when the signal is already aborted', async () => {
    const run = startMediaTool('ffmpeg', ['-version'], { signal: AbortSignal.abort() });
    expect(run.pid).toBeUndefined();
    await expect(run.done).rejects.toMatchObject({ code: 'NODE_CANCELLED' });
  });

  it('turns a failing run into MEDIA_TOOL_FAILED with the tail of stderr', async () => {
    const error = await runMediaTool('ffmpeg', [
      '-hide_banner',
      '-i',
      join(dir, 'missing.wav'),
      '-f',
      'null',
      '-',
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MySpinBotError);
    expect(error).toMatchObject({ code: 'MEDIA_TOOL_FAILED', retryable: true });
    expect((error as MySpinBotError).message).toContain('No such file or directory');
    expect((error as MySpinBotError).details?.stderrTail).toBeInstanceOf(Array);
  });

  it('reports a broken stdin pipe through write() and the exit through done', async () => {
    // ffmpeg exits while parsing its options, before it reads stdin.
    const run = startMediaTool(
      'ffmpeg',
      ['-no_such_option', '-f', 'rawvideo', '-s', '8x8', '-i', 'pipe:0', '-'],
      {
        stdin: true,
      },
    );
    await expect(run.done).rejects.toMatchObject({ code: 'MEDIA_TOOL_FAILED' });
    await expect(run.write(Buffer.alloc(192))).rejects.toBeInstanceOf(Error);
  });
});

describe('probeMedia', () => {
  it('reads a real WAV', async () => {
    const info = await probeMedia(
      fileURLToPath(new URL('../../../../shared/testdata/carl_jung.wav', import.meta.url)),
    );
    expect(info.streams).toHaveLength(1);
    expect(info.streams[0]).toMatchObject({ codecType: 'audio', codecName: 'pcm_s16le', sampleRate: 48_000 });
    expect(info.durationMs).toBeGreaterThan(9000);
  });

  it('is MEDIA_INVALID for a file that is not media', async () => {
    const junk = join(dir, 'junk.mp4');
    await writeFile(junk, 'definitely not a video');
    await expect(probeMedia(junk)).rejects.toMatchObject({ code: 'MEDIA_INVALID' });
    expect(existsSync(junk)).toBe(true);
  });

  it('parses ffprobe JSON with string numbers and rational rates', () => {
    const info = parseProbeJson(
      JSON.stringify({
        streams: [
          {
            index: 0,
            codec_type: 'video',
            codec_name: 'h264',
            width: 720,
            height: 1280,
            pix_fmt: 'yuv420p',
            avg_frame_rate: '30000/1001',
            nb_frames: '299',
            duration: '9.976667',
          },
          { index: 1, codec_type: 'audio', codec_name: 'aac', sample_rate: '44100', channels: 1 },
        ],
        format: {
          format_name: 'mov,mp4,m4a,3gp,3g2,mj2',
          duration: '10.005',
          size: '1234567',
          bit_rate: '987',
        },
      }),
    );
    expect(info.durationMs).toBe(10_005);
    expect(info.sizeBytes).toBe(1_234_567);
    expect(info.streams[0]?.frameRate).toBeCloseTo(29.97, 2);
    expect(info.streams[0]?.frameCount).toBe(299);
    expect(info.streams[1]).toMatchObject({ sampleRate: 44_100, channels: 1 });
    expect(() => parseProbeJson('not json')).toThrow(MySpinBotError);
    expect(() => parseProbeJson('{"streams":[]}')).toThrow(/format/);
  });
});

describe('the ffmpeg binary', () => {
  it('comes from the installer package and has the encoders we use', async () => {
    expect(mediaToolPath('ffmpeg')).toContain(`${sep}@ffmpeg-installer${sep}`);
    expect(mediaToolPath('ffprobe')).toContain(`${sep}@ffprobe-installer${sep}`);
    const { stdout } = await runMediaTool('ffmpeg', ['-hide_banner', '-encoders'], { collectStdout: true });
    expect(stdout.toString()).toContain('libx264');
    expect(stdout.toString()).toMatch(/\baac\b/);
  });
});
