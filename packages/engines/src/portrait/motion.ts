/**
 * Idle motion: blinks and head sway (pure and deterministic). Rules kept:
 * - every random choice comes from one seeded generator, so the same seed gives the same motion;
 * - blinks come every 2-6 s (the first within 0.6-2.2 s), sometimes doubled (250 ms apart), last ~155 ms
 *   (55 ms closing, 15 ms shut, 85 ms opening); a blink due within 0.8 s of a pause in the speech moves into
 *   the pause when the 2-6 s spacing allows;
 * - the eyes are fully shut on at least one frame of every blink (the shut phase is aligned to a frame);
 * - head motion is a sum of slow sines (0.06-0.4 Hz) with random phases: roll within ±1°, sway and nod
 *   within about 1 % of the face width, plus a small nod that follows the speech loudness.
 */
import { createHash } from 'node:crypto';

/** A deterministic generator of floats in [0, 1) (mulberry32). */
export type Random = () => number;

/** mulberry32 seeded from the first 32 bits of the SHA-256 of `seed`. */
export function seededRandom(seed: string): Random {
  let state = createHash('sha256').update(seed).digest().readUInt32LE(0);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BLINK_CLOSE_MS = 55;
const BLINK_HOLD_MS = 15;
const BLINK_OPEN_MS = 85;
export const BLINK_DURATION_MS = BLINK_CLOSE_MS + BLINK_HOLD_MS + BLINK_OPEN_MS;

/** Eyelid closure 0..1 at `ms` after a blink started. */
export function blinkProfile(ms: number): number {
  if (ms <= 0 || ms >= BLINK_DURATION_MS) return 0;
  if (ms < BLINK_CLOSE_MS) {
    const x = ms / BLINK_CLOSE_MS;
    return x * x * (3 - 2 * x);
  }
  if (ms <= BLINK_CLOSE_MS + BLINK_HOLD_MS) return 1;
  const x = (ms - BLINK_CLOSE_MS - BLINK_HOLD_MS) / BLINK_OPEN_MS;
  return 1 - x * x * (3 - 2 * x);
}

/** Start times (ms) of blinks over `durationMs`, given the pauses of the speech as [startMs, endMs]. */
export function scheduleBlinks(
  durationMs: number,
  random: Random,
  pauses: readonly [number, number][] = [],
): number[] {
  const starts: number[] = [];
  let t = 600 + random() * 1600;
  while (t < durationMs - BLINK_DURATION_MS) {
    const previous = starts[starts.length - 1];
    let at = t;
    // Move into a pause that starts within 0.8 s, as long as the gap to the last blink stays 2-6 s.
    const pause = pauses.find(([start, end]) => {
      if (Math.abs(start - t) >= 800 || end - start < 250) return false;
      const gap = start + 100 - (previous ?? Number.NEGATIVE_INFINITY);
      return previous === undefined || (gap >= 2000 && gap <= 6000);
    });
    if (pause !== undefined) at = pause[0] + 100;
    starts.push(at);
    if (random() < 0.12 && at + 250 + BLINK_DURATION_MS < durationMs) starts.push(at + 250);
    t = (starts[starts.length - 1] ?? at) + 2000 + 4000 * random() ** 1.3;
  }
  return starts;
}

/** Eyelid closure per frame; each blink is shifted (by < 1 frame) so its shut phase covers a frame time. */
export function blinkTrack(starts: readonly number[], fps: number, frameCount: number): Float32Array {
  const out = new Float32Array(frameCount);
  const frameMs = 1000 / fps;
  for (const start of starts) {
    // Put the middle of the shut phase exactly on the nearest frame time.
    const shutMiddle = start + BLINK_CLOSE_MS + BLINK_HOLD_MS / 2;
    const aligned = start + (Math.round(shutMiddle / frameMs) * frameMs - shutMiddle);
    const first = Math.max(0, Math.floor(aligned / frameMs));
    const last = Math.min(frameCount - 1, Math.ceil((aligned + BLINK_DURATION_MS) / frameMs));
    for (let f = first; f <= last; f++) {
      out[f] = Math.max(out[f] ?? 0, blinkProfile(f * frameMs - aligned));
    }
  }
  return out;
}

export interface HeadPose {
  /** Roll in radians (positive = clockwise on screen). */
  roll: number;
  /** Horizontal shift, as a fraction of the face width. */
  x: number;
  /** Vertical shift (positive = down), as a fraction of the face width. */
  y: number;
  /** Relative scale change (0 = none). */
  scale: number;
}

interface Wave {
  frequencyHz: number;
  phase: number;
  amplitude: number;
}

function waves(random: Random, amplitude: number): Wave[] {
  return [
    { frequencyHz: 0.06 + 0.06 * random(), phase: 2 * Math.PI * random(), amplitude: amplitude * 0.65 },
    { frequencyHz: 0.15 + 0.1 * random(), phase: 2 * Math.PI * random(), amplitude: amplitude * 0.27 },
    { frequencyHz: 0.3 + 0.1 * random(), phase: 2 * Math.PI * random(), amplitude: amplitude * 0.08 },
  ];
}

function evaluate(list: readonly Wave[], seconds: number): number {
  let sum = 0;
  for (const w of list) sum += w.amplitude * Math.sin(2 * Math.PI * w.frequencyHz * seconds + w.phase);
  return sum;
}

/**
 * Head pose per frame. `loudness` (0..1 per frame) adds a small nod while speaking; it is smoothed over
 * about 600 ms so the head follows phrases, never single syllables.
 */
export function headTrack(random: Random, fps: number, loudness: Float32Array): HeadPose[] {
  const roll = waves(random, (1.0 * Math.PI) / 180);
  const sway = waves(random, 0.01);
  const nod = waves(random, 0.006);
  const breathe = waves(random, 0.004);
  const alpha = 1 - Math.exp(-1 / (0.6 * fps));
  let smooth = 0;
  const poses: HeadPose[] = [];
  for (let f = 0; f < loudness.length; f++) {
    smooth += ((loudness[f] ?? 0) - smooth) * alpha;
    const seconds = f / fps;
    poses.push({
      roll: evaluate(roll, seconds),
      x: evaluate(sway, seconds),
      y: evaluate(nod, seconds) + 0.008 * smooth,
      scale: evaluate(breathe, seconds),
    });
  }
  return poses;
}
