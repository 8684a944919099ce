/** Framed loudness measures: per-frame RMS and the per-video-frame envelope that drives lip sync. */
import { MySpinBotError } from '@myspinbot/contracts';
import type { PcmAudio } from '../types.js';

/** RMS of samples[start, end) (clamped to the array); 0 for an empty range. */
export function rmsOf(samples: Float32Array, start = 0, end = samples.length): number {
  const from = Math.max(0, Math.floor(start));
  const to = Math.min(samples.length, Math.floor(end));
  if (to <= from) return 0;
  let sum = 0;
  for (let i = from; i < to; i++) {
    const value = samples[i] ?? 0;
    sum += value * value;
  }
  return Math.sqrt(sum / (to - from));
}

/**
 * RMS of consecutive frames: frame k covers samples [k*hop, k*hop + size). The last frame may be partial
 * (it is measured over the samples it has); there are ceil(length / hop) frames.
 */
export function frameRms(samples: Float32Array, size: number, hop: number): Float32Array {
  if (!(size >= 1) || !(hop >= 1)) {
    throw new MySpinBotError('NODE_INPUT_INVALID', `Frame size ${size} and hop ${hop} must be at least 1`);
  }
  const count = Math.ceil(samples.length / hop);
  const out = new Float32Array(count);
  for (let k = 0; k < count; k++) out[k] = rmsOf(samples, k * hop, k * hop + size);
  return out;
}

export interface EnvelopeOptions {
  /** Number of values to return (default: ceil(duration * frameRate)); frames past the audio are 0. */
  frameCount?: number;
  /**
   * Width of the analysis window centred on each frame's midpoint, in seconds. Default: exactly one frame
   * period, i.e. frame i measures [i / frameRate, (i + 1) / frameRate).
   */
  windowS?: number;
}

/** RMS loudness at a given frame rate: one value (0..1) per video frame, for lip sync. */
export function rmsEnvelope(audio: PcmAudio, frameRate: number, options: EnvelopeOptions = {}): Float32Array {
  if (!(frameRate > 0))
    throw new MySpinBotError('NODE_INPUT_INVALID', `Frame rate ${frameRate} must be positive`);
  const { sampleRate, samples } = audio;
  const durationS = sampleRate > 0 ? samples.length / sampleRate : 0;
  // The small epsilon keeps a duration that is an exact multiple of the frame period from gaining a frame.
  const count = options.frameCount ?? Math.ceil(durationS * frameRate - 1e-9);
  const out = new Float32Array(Math.max(0, count));
  const period = sampleRate / frameRate;
  const window = options.windowS === undefined ? period : options.windowS * sampleRate;
  for (let i = 0; i < out.length; i++) {
    const centre = (i + 0.5) * period;
    out[i] = rmsOf(samples, Math.round(centre - window / 2), Math.round(centre + window / 2));
  }
  return out;
}
