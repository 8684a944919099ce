import { describe, expect, it } from 'vitest';
import {
  applyProgressLine,
  type FfmpegProgress,
  parseFfmpegTimestamp,
  parseStderrTime,
  progressFraction,
} from '../src/media/progress.js';
import { isHarmlessStderrLine, LineSplitter, LineTail } from '../src/media/stderr-lines.js';

describe('parseFfmpegTimestamp', () => {
  it('parses hours, minutes and fractional seconds', () => {
    expect(parseFfmpegTimestamp('00:00:01.23')).toBe(1230);
    expect(parseFfmpegTimestamp('01:02:03.456789')).toBe(3_723_457);
    expect(parseFfmpegTimestamp('-00:00:00.05')).toBe(-50);
  });

  it('rejects malformed text', () => {
    expect(parseFfmpegTimestamp('N/A')).toBeNull();
    expect(parseFfmpegTimestamp('1.5')).toBeNull();
    expect(parseFfmpegTimestamp('00:61:00')).toBeNull();
  });
});

describe('applyProgressLine', () => {
  const block = [
    'frame=75',
    'fps=31.2',
    'stream_0_0_q=28.0',
    'bitrate= 812.3kbits/s',
    'total_size=312345',
    'out_time_us=3000000',
    'out_time_ms=3000000',
    'out_time=00:00:03.000000',
    'dup_frames=0',
    'drop_frames=0',
    'speed=1.25x',
    'progress=continue',
  ];

  it('folds a -progress block into frame, time and speed', () => {
    const state = block.reduce(applyProgressLine, { done: false } satisfies FfmpegProgress);
    expect(state).toEqual({ frame: 75, outTimeMs: 3000, speed: 1.25, done: false });
  });

  it('reads out_time_ms as microseconds (ffmpeg naming) and marks the end', () => {
    let state: FfmpegProgress = { done: false };
    state = applyProgressLine(state, 'out_time_ms=2500000');
    expect(state.outTimeMs).toBe(2500);
    state = applyProgressLine(state, 'progress=end');
    expect(state.done).toBe(true);
  });

  it('ignores N/A, unknown keys and junk without mutating the input', () => {
    const start: FfmpegProgress = { done: false, outTimeMs: 10 };
    expect(applyProgressLine(start, 'out_time_us=N/A')).toBe(start);
    expect(applyProgressLine(start, 'whatever=1')).toBe(start);
    expect(applyProgressLine(start, 'no equals sign')).toBe(start);
    expect(applyProgressLine(start, 'out_time_us=-1000')).toEqual({ done: false, outTimeMs: 0 });
    expect(start).toEqual({ done: false, outTimeMs: 10 });
  });
});

describe('parseStderrTime', () => {
  it('reads the time= field of a status line', () => {
    expect(
      parseStderrTime(
        'frame=  100 fps= 50 q=28.0 size=     256kB time=00:00:04.00 bitrate= 524.3kbits/s speed=2x',
      ),
    ).toBe(4000);
    expect(parseStderrTime('size=N/A time=00:01:00.50 bitrate=N/A')).toBe(60_500);
  });

  it('is null when the line has no time', () => {
    expect(parseStderrTime('Input #0, wav, from speech.wav:')).toBeNull();
    expect(parseStderrTime('overtime=00:00:01.00')).toBeNull();
  });
});

describe('progressFraction', () => {
  it('clamps into 0..1 and is 0 for an unknown total', () => {
    expect(progressFraction(500, 1000)).toBe(0.5);
    expect(progressFraction(1500, 1000)).toBe(1);
    expect(progressFraction(undefined, 1000)).toBe(0);
    expect(progressFraction(500, 0)).toBe(0);
  });
});

describe('stderr lines', () => {
  it('filters the static build fontconfig noise only', () => {
    expect(isHarmlessStderrLine('Fontconfig warning: ignoring UTF-8: not a valid region tag')).toBe(true);
    expect(isHarmlessStderrLine('Fontconfig error: Cannot load default config file')).toBe(true);
    expect(isHarmlessStderrLine('   ')).toBe(true);
    expect(isHarmlessStderrLine('pipe:0: Invalid data found when processing input')).toBe(false);
  });

  it('splits on \\n, \\r\\n and \\r across chunk boundaries', () => {
    const splitter = new LineSplitter();
    expect(splitter.push('a\nb')).toEqual(['a']);
    expect(splitter.push('c\r\nframe=1\rframe=2\r')).toEqual(['bc', 'frame=1', 'frame=2']);
    expect(splitter.push('\nlast')).toEqual([]);
    expect(splitter.flush()).toEqual(['last']);
    expect(splitter.flush()).toEqual([]);
  });

  it('keeps a bounded tail', () => {
    const tail = new LineTail(2);
    for (const line of ['1', '2', '3']) tail.push(line);
    expect(tail.toArray()).toEqual(['2', '3']);
    expect(tail.toString()).toBe('2\n3');
  });
});
