/**
 * Fundamental-frequency estimation with YIN (de Cheveigné & Kawahara, 2002): the cumulative-mean-normalised
 * difference function of each frame is searched for the first dip below a threshold (then followed down to
 * its local minimum), refined by parabolic interpolation. The depth of that dip is the frame's aperiodicity:
 * near 0 for a clean periodic (voiced) frame, near 1 for noise.
 */
import { MySpinBotError } from '@myspinbot/contracts';

export interface PitchTrackOptions {
  /** Lowest detectable f0 (Hz). Default 60. */
  minHz?: number;
  /** Highest detectable f0 (Hz). Default 500. */
  maxHz?: number;
  /** Analysis frame length (s). Default 0.04. */
  frameS?: number;
  /** Hop between frames (s). Default 0.01. */
  hopS?: number;
  /** CMNDF dip threshold. Default 0.15. */
  threshold?: number;
}

/** One analysed frame: f0 is 0 when no period was found inside minHz..maxHz. */
export interface PitchFrame {
  /** Start of the frame (s). */
  timeS: number;
  f0Hz: number;
  /** CMNDF value at the chosen lag, 0..~1 (lower is more periodic). */
  aperiodicity: number;
}

/** YIN on one frame: returns [f0Hz, aperiodicity]. */
function yinFrame(
  frame: Float64Array,
  sampleRate: number,
  tauMin: number,
  tauMax: number,
  threshold: number,
  diff: Float64Array,
): [number, number] {
  const window = frame.length - tauMax;
  diff[0] = 1;
  let running = 0;
  for (let tau = 1; tau <= tauMax; tau++) {
    let sum = 0;
    for (let j = 0; j < window; j++) {
      const delta = (frame[j] ?? 0) - (frame[j + tau] ?? 0);
      sum += delta * delta;
    }
    running += sum;
    // Cumulative-mean normalisation: d'(tau) = d(tau) * tau / sum_{k<=tau} d(k).
    diff[tau] = running > 0 ? (sum * tau) / running : 1;
  }
  let chosen = -1;
  for (let tau = tauMin; tau <= tauMax; tau++) {
    if ((diff[tau] ?? 1) < threshold) {
      while (tau + 1 <= tauMax && (diff[tau + 1] ?? 1) < (diff[tau] ?? 1)) tau++;
      chosen = tau;
      break;
    }
  }
  if (chosen < 0) {
    // No dip under the threshold: take the deepest one; its depth tells the voicing decision it is weak.
    let best = tauMin;
    for (let tau = tauMin + 1; tau <= tauMax; tau++) if ((diff[tau] ?? 1) < (diff[best] ?? 1)) best = tau;
    chosen = best;
  }
  const depth = diff[chosen] ?? 1;
  if (chosen <= tauMin || chosen >= tauMax) return [0, depth];
  const left = diff[chosen - 1] ?? depth;
  const right = diff[chosen + 1] ?? depth;
  const curvature = left + right - 2 * depth;
  const shift = curvature > 0 ? (left - right) / (2 * curvature) : 0;
  return [sampleRate / (chosen + shift), depth];
}

/** Runs YIN over the whole signal, frame by frame (each frame has its mean removed first). */
export function trackPitch(
  samples: Float32Array,
  sampleRate: number,
  options: PitchTrackOptions = {},
): PitchFrame[] {
  const minHz = options.minHz ?? 60;
  const maxHz = options.maxHz ?? 500;
  const frameLength = Math.round((options.frameS ?? 0.04) * sampleRate);
  const hop = Math.max(1, Math.round((options.hopS ?? 0.01) * sampleRate));
  const tauMin = Math.max(2, Math.floor(sampleRate / maxHz));
  const tauMax = Math.ceil(sampleRate / minHz);
  if (!(minHz > 0) || maxHz <= minHz || frameLength < tauMax * 1.5) {
    throw new MySpinBotError(
      'NODE_INPUT_INVALID',
      `Pitch range ${minHz}-${maxHz} Hz does not fit a ${frameLength}-sample frame at ${sampleRate} Hz`,
    );
  }
  const threshold = options.threshold ?? 0.15;
  const frame = new Float64Array(frameLength);
  const diff = new Float64Array(tauMax + 1);
  const frames: PitchFrame[] = [];
  for (let start = 0; start + frameLength <= samples.length; start += hop) {
    let mean = 0;
    for (let i = 0; i < frameLength; i++) mean += samples[start + i] ?? 0;
    mean /= frameLength;
    let energy = 0;
    for (let i = 0; i < frameLength; i++) {
      const value = (samples[start + i] ?? 0) - mean;
      frame[i] = value;
      energy += value * value;
    }
    if (energy === 0) {
      frames.push({ timeS: start / sampleRate, f0Hz: 0, aperiodicity: 1 });
      continue;
    }
    const [f0Hz, aperiodicity] = yinFrame(frame, sampleRate, tauMin, tauMax, threshold, diff);
    frames.push({ timeS: start / sampleRate, f0Hz, aperiodicity });
  }
  return frames;
}
