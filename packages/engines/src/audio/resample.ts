/**
 * Sample-rate conversion. The default is a band-limited (windowed-sinc, Kaiser window) interpolator: the
 * cut-off sits at 95% of the lower of the two Nyquist frequencies, so downsampling does not alias and
 * upsampling does not image. Positions outside the input count as zeros, and each output sample divides by
 * the sum of the kernel weights it used, so a constant signal stays constant away from the edges.
 * 'linear' is a cheap two-tap interpolator without anti-aliasing, for previews and envelopes.
 */
import { MySpinBotError } from '@myspinbot/contracts';
import type { PcmAudio } from '../types.js';

export type ResampleQuality = 'sinc' | 'linear';

/** Zero crossings of the sinc kept on each side of the centre (at the cut-off frequency). */
const HALF_WIDTH = 16;
/** Kernel table steps per zero crossing; the kernel between table steps is linearly interpolated. */
const OVERSAMPLE = 512;
const KAISER_BETA = 8.6;
const CUTOFF = 0.95;

/** Modified Bessel function of the first kind, order 0 (power series). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const half = x / 2;
  for (let k = 1; k < 50; k++) {
    term *= (half / k) * (half / k);
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

let kernelTable: Float64Array | undefined;

/** sinc(u) * kaiser(u / HALF_WIDTH) for u = 0 .. HALF_WIDTH in 1/OVERSAMPLE steps (one guard entry). */
function kernel(): Float64Array {
  if (kernelTable !== undefined) return kernelTable;
  const size = HALF_WIDTH * OVERSAMPLE + 2;
  const table = new Float64Array(size);
  const norm = besselI0(KAISER_BETA);
  for (let i = 0; i < size; i++) {
    const u = i / OVERSAMPLE;
    const ratio = u / HALF_WIDTH;
    const window = ratio >= 1 ? 0 : besselI0(KAISER_BETA * Math.sqrt(1 - ratio * ratio)) / norm;
    const sinc = u === 0 ? 1 : Math.sin(Math.PI * u) / (Math.PI * u);
    table[i] = sinc * window;
  }
  kernelTable = table;
  return table;
}

function outputLength(inputLength: number, from: number, to: number): number {
  return Math.round((inputLength * to) / from);
}

function resampleLinear(samples: Float32Array, from: number, to: number): Float32Array {
  const out = new Float32Array(outputLength(samples.length, from, to));
  const step = from / to;
  const last = samples.length - 1;
  for (let j = 0; j < out.length; j++) {
    const t = j * step;
    const i = Math.floor(t);
    const frac = t - i;
    const a = samples[Math.min(i, last)] ?? 0;
    const b = samples[Math.min(i + 1, last)] ?? 0;
    out[j] = a + (b - a) * frac;
  }
  return out;
}

function resampleSinc(samples: Float32Array, from: number, to: number): Float32Array {
  const table = kernel();
  const out = new Float32Array(outputLength(samples.length, from, to));
  const step = from / to;
  // Cut-off as a fraction of the input Nyquist frequency.
  const fc = Math.min(1, to / from) * CUTOFF;
  const reach = HALF_WIDTH / fc;
  const tableScale = fc * OVERSAMPLE;
  const n = samples.length;
  for (let j = 0; j < out.length; j++) {
    const t = j * step;
    const first = Math.ceil(t - reach);
    const last = Math.floor(t + reach);
    let acc = 0;
    let weights = 0;
    for (let i = first; i <= last; i++) {
      const position = Math.abs(t - i) * tableScale;
      const index = Math.floor(position);
      const frac = position - index;
      const a = table[index] ?? 0;
      const b = table[index + 1] ?? 0;
      const weight = a + (b - a) * frac;
      weights += weight;
      if (i >= 0 && i < n) acc += (samples[i] ?? 0) * weight;
    }
    out[j] = weights !== 0 ? acc / weights : 0;
  }
  return out;
}

/** Converts audio to another sample rate (returns the input when the rates already match). */
export function resample(audio: PcmAudio, targetRate: number, quality: ResampleQuality = 'sinc'): PcmAudio {
  if (!(targetRate > 0) || !(audio.sampleRate > 0)) {
    throw new MySpinBotError(
      'NODE_INPUT_INVALID',
      `Cannot resample from ${audio.sampleRate} Hz to ${targetRate} Hz: rates must be positive`,
    );
  }
  if (targetRate === audio.sampleRate) return audio;
  const samples =
    quality === 'linear'
      ? resampleLinear(audio.samples, audio.sampleRate, targetRate)
      : resampleSinc(audio.samples, audio.sampleRate, targetRate);
  return { sampleRate: targetRate, samples };
}
