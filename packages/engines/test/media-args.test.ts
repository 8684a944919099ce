import { describe, expect, it } from 'vitest';
import {
  buildAudioInputArgs,
  buildH264Args,
  buildRawVideoEncodeArgs,
  buildStillImageEncodeArgs,
  buildVideoFilter,
  escapeFilterValue,
} from '../src/media/ffmpeg-args.js';
import { buildProbeArgs } from '../src/media/probe.js';

function valueAfter(args: string[], flag: string): string | undefined {
  const at = args.indexOf(flag);
  return at < 0 ? undefined : args[at + 1];
}

describe('escapeFilterValue', () => {
  it('leaves plain paths alone', () => {
    expect(escapeFilterValue('/tmp/job-1/captions.ass')).toBe('/tmp/job-1/captions.ass');
  });

  it('escapes both filtergraph levels', () => {
    // level 1: ':' -> '\:' ; level 2: that backslash and the ',' are escaped again.
    expect(escapeFilterValue('C:/a,b')).toBe('C\\\\:/a\\,b');
    expect(escapeFilterValue("it's")).toBe("it\\\\\\'s");
    expect(escapeFilterValue('[x];y')).toBe('\\[x\\]\\;y');
  });
});

describe('buildVideoFilter', () => {
  it('is undefined without filters', () => {
    expect(buildVideoFilter({})).toBeUndefined();
  });

  it('scales before burning in subtitles', () => {
    expect(
      buildVideoFilter({
        scale: { width: 720, height: 1280 },
        subtitles: { path: '/t/c.ass', filter: 'ass' },
      }),
    ).toBe('scale=720:1280:flags=bicubic,ass=filename=/t/c.ass');
  });

  it('passes a fonts directory', () => {
    expect(buildVideoFilter({ subtitles: { path: '/t/c.ass', fontsDir: '/f' } })).toBe(
      'subtitles=filename=/t/c.ass:fontsdir=/f',
    );
  });

  it('rejects odd sizes (yuv420p)', () => {
    expect(() => buildVideoFilter({ scale: { width: 721, height: 1280 } })).toThrow(RangeError);
  });
});

describe('buildAudioInputArgs', () => {
  it('reads a file through the file: protocol', () => {
    expect(buildAudioInputArgs({ kind: 'file', path: '-odd.wav' })).toEqual(['-i', 'file:-odd.wav']);
  });

  it('describes raw float samples', () => {
    expect(buildAudioInputArgs({ kind: 'rawFloat32', path: '/a.f32', sampleRate: 22050 })).toEqual([
      '-f',
      'f32le',
      '-ar',
      '22050',
      '-ac',
      '1',
      '-i',
      'file:/a.f32',
    ]);
  });
});

describe('buildH264Args', () => {
  it('has defaults suitable for browsers', () => {
    const args = buildH264Args({}, 25);
    expect(valueAfter(args, '-c:v')).toBe('libx264');
    expect(valueAfter(args, '-pix_fmt')).toBe('yuv420p');
    expect(valueAfter(args, '-preset')).toBe('veryfast');
    expect(valueAfter(args, '-crf')).toBe('20');
    expect(valueAfter(args, '-g')).toBe('50');
  });

  it('validates the quality knobs', () => {
    expect(() => buildH264Args({ crf: 60 }, 25)).toThrow(RangeError);
    expect(() => buildH264Args({ threads: -1 }, 25)).toThrow(RangeError);
    expect(valueAfter(buildH264Args({ crf: 23.5, preset: 'slow', threads: 2 }, 30), '-threads')).toBe('2');
  });
});

describe('buildRawVideoEncodeArgs', () => {
  const args = buildRawVideoEncodeArgs({
    video: { pixelFormat: 'rgb24', width: 720, height: 1280, fps: 25 },
    audio: { kind: 'file', path: '/in/speech.wav' },
    outPath: '/out/video.mp4',
    subtitles: { path: '/out/captions.ass' },
    h264: { crf: 21, preset: 'faster', threads: 2 },
  });

  it('reads rawvideo from stdin with its geometry before the audio input', () => {
    expect(args.indexOf('pipe:0')).toBeGreaterThan(args.indexOf('rawvideo'));
    expect(args.indexOf('pipe:0')).toBeLessThan(args.indexOf('file:/in/speech.wav'));
    expect(valueAfter(args, '-pix_fmt')).toBe('rgb24');
    expect(valueAfter(args, '-s')).toBe('720x1280');
    expect(valueAfter(args, '-framerate')).toBe('25');
    expect(valueAfter(args, '-thread_queue_size')).toBe('64');
  });

  it('maps exactly one video and one audio stream', () => {
    expect(args.filter((a) => a === '-map')).toHaveLength(2);
    expect(args).toContain('0:v:0');
    expect(args).toContain('1:a:0');
  });

  it('converts RGB with BT.709, burns in subtitles and writes a fast-start H.264/AAC MP4', () => {
    expect(valueAfter(args, '-vf')).toBe(
      'scale=out_color_matrix=bt709:out_range=tv,subtitles=filename=/out/captions.ass',
    );
    expect(valueAfter(args, '-colorspace')).toBe('bt709');
    expect(valueAfter(args, '-color_range')).toBe('tv');
    expect(valueAfter(args, '-c:a')).toBe('aac');
    expect(valueAfter(args, '-movflags')).toBe('+faststart');
    expect(valueAfter(args, '-crf')).toBe('21');
    expect(args).toContain('-shortest');
    expect(args.at(-1)).toBe('file:/out/video.mp4');
  });

  it('reports progress on stdout unless disabled, and never reads the terminal', () => {
    expect(valueAfter(args, '-progress')).toBe('pipe:1');
    expect(args).toContain('-nostdin');
    const quiet = buildRawVideoEncodeArgs({
      video: { pixelFormat: 'rgba', width: 64, height: 64, fps: 30 },
      audio: { kind: 'rawFloat32', path: '/a.f32', sampleRate: 16000 },
      outPath: '/o.mp4',
      progress: false,
    });
    expect(quiet).not.toContain('-progress');
    expect(valueAfter(quiet, '-vf')).toBe('scale=out_color_matrix=bt709:out_range=tv');
    const yuv = buildRawVideoEncodeArgs({
      video: { pixelFormat: 'yuv420p', width: 64, height: 64, fps: 30 },
      audio: { kind: 'file', path: '/a.wav' },
      outPath: '/o.mp4',
      colorMatrix: 'bt601',
    });
    expect(yuv).not.toContain('-vf');
    expect(valueAfter(yuv, '-colorspace')).toBe('smpte170m');
  });

  it('rejects geometry the encoder cannot take', () => {
    const base = {
      audio: { kind: 'file', path: '/a.wav' } as const,
      outPath: '/o.mp4',
    };
    expect(() =>
      buildRawVideoEncodeArgs({ ...base, video: { pixelFormat: 'rgb24', width: 641, height: 480, fps: 25 } }),
    ).toThrow(RangeError);
    expect(() =>
      buildRawVideoEncodeArgs({ ...base, video: { pixelFormat: 'rgb24', width: 640, height: 480, fps: 0 } }),
    ).toThrow(RangeError);
    // An odd source size is fine when it is scaled to an even one.
    const scaled = buildRawVideoEncodeArgs({
      ...base,
      video: { pixelFormat: 'rgb24', width: 641, height: 481, fps: 25 },
      scale: { width: 640, height: 480 },
    });
    expect(valueAfter(scaled, '-vf')).toBe('scale=640:480:flags=bicubic:out_color_matrix=bt709:out_range=tv');
  });
});

describe('buildStillImageEncodeArgs', () => {
  it('loops the image for the given duration at the given size', () => {
    const args = buildStillImageEncodeArgs({
      imagePath: '/p.jpg',
      audio: { kind: 'file', path: '/a.wav' },
      outPath: '/o.mp4',
      durationMs: 10_000,
      fps: 25,
      width: 720,
      height: 1280,
    });
    expect(valueAfter(args, '-loop')).toBe('1');
    expect(valueAfter(args, '-t')).toBe('10');
    expect(valueAfter(args, '-vf')).toBe('scale=720:1280:flags=bicubic');
    expect(args.at(-1)).toBe('file:/o.mp4');
  });
});

describe('buildProbeArgs', () => {
  it('asks for JSON format and streams', () => {
    expect(buildProbeArgs('/x.mp4')).toEqual([
      '-hide_banner',
      '-loglevel',
      'error',
      '-print_format',
      'json',
      '-show_format',
      '-show_streams',
      'file:/x.mp4',
    ]);
  });
});
