/**
 * Pure parsers of ffmpeg progress output: the `key=value` blocks of `-progress pipe:1` and the `time=` field
 * of the classic stderr status line. Times are returned in milliseconds.
 */

export interface FfmpegProgress {
  /** Output timestamp reached, in ms. */
  outTimeMs?: number;
  /** Frames written so far. */
  frame?: number;
  /** Encoding speed as a multiple of real time. */
  speed?: number;
  /** True once ffmpeg reported `progress=end`. */
  done: boolean;
}

/** Parses `HH:MM:SS.frac` (hours may exceed 24; a leading `-` is allowed) into ms; null when malformed. */
export function parseFfmpegTimestamp(text: string): number | null {
  const match = /^(-?)(\d+):([0-5]?\d):([0-5]?\d(?:\.\d+)?)$/.exec(text.trim());
  if (match === null) return null;
  const [, sign, hours, minutes, seconds] = match;
  const ms = (Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds)) * 1000;
  return Math.round(sign === '-' ? -ms : ms);
}

/**
 * Folds one `-progress` line into the progress so far and returns the new state (the input is not changed).
 * `out_time_us` and `out_time_ms` both carry microseconds (ffmpeg's naming of the latter is historical);
 * `out_time` is the same value as a timestamp. Unknown keys and `N/A` values leave the state unchanged.
 */
export function applyProgressLine(state: FfmpegProgress, line: string): FfmpegProgress {
  const eq = line.indexOf('=');
  if (eq <= 0) return state;
  const key = line.slice(0, eq).trim();
  const value = line.slice(eq + 1).trim();
  if (value === '' || value === 'N/A') return state;
  switch (key) {
    case 'out_time_us':
    case 'out_time_ms': {
      const micros = Number(value);
      return Number.isFinite(micros)
        ? { ...state, outTimeMs: Math.max(0, Math.round(micros / 1000)) }
        : state;
    }
    case 'out_time': {
      const ms = parseFfmpegTimestamp(value);
      return ms === null ? state : { ...state, outTimeMs: Math.max(0, ms) };
    }
    case 'frame': {
      const frame = Number(value);
      return Number.isInteger(frame) && frame >= 0 ? { ...state, frame } : state;
    }
    case 'speed': {
      const speed = Number.parseFloat(value);
      return Number.isFinite(speed) ? { ...state, speed } : state;
    }
    case 'progress':
      return value === 'end' ? { ...state, done: true } : state;
    default:
      return state;
  }
}

/** Reads the `time=HH:MM:SS.cc` field of an ffmpeg stderr status line, in ms; null when absent. */
export function parseStderrTime(line: string): number | null {
  const match = /(?:^|\s)time=\s*(-?\d+:\d{1,2}:\d{1,2}(?:\.\d+)?)/.exec(line);
  if (match === null || match[1] === undefined) return null;
  return parseFfmpegTimestamp(match[1]);
}

/** Fraction 0..1 of a job of `totalMs`; 0 when the total is unknown. */
export function progressFraction(outTimeMs: number | undefined, totalMs: number): number {
  if (outTimeMs === undefined || !(totalMs > 0)) return 0;
  return Math.min(1, Math.max(0, outTimeMs / totalMs));
}
