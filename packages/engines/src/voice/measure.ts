/**
 * train_voice's built-in step: measure a voice sample into a reusable VoiceProfile.
 *
 * The sample is resampled to 16 kHz and cut into 40 ms frames every 10 ms.
 * - Speech span: from the first to the last stretch of sound (adaptive energy threshold, see
 *   audio/silence.ts); rates and the voiced ratio are measured over this span, not the padding around it.
 * - Voiced frame: inside the span, YIN aperiodicity below 0.25, an f0 within 60-500 Hz, and a level no
 *   more than 35 dB under the loudest frame (and above -60 dBFS), which keeps out faint hum. Each voiced
 *   frame's f0 becomes the median of the voiced frames among the 5 centred on it, and frames more than an
 *   octave from the median f0 (octave errors) are dropped.
 * - pitchHz: median f0 of voiced frames; pitchRangeSemitones: 12*log2(q75/q25) of the same.
 * - loudnessDbfs: RMS level (energy mean) of the voiced frames.
 * - voicedRatio: voiced frames / frames in the speech span.
 * - syllablesPerSecond: peaks of the 300-2000 Hz band envelope (each at least 3 dB above the dips around
 *   it, at least 100 ms apart, with a voiced frame within 30 ms) per second of speech span.
 * - wordsPerMinute: transcript words / speech span minutes (null without a transcript).
 */
import { MySpinBotError } from '@myspinbot/contracts';
import { rmsOf } from '../audio/envelope.js';
import { gainToDb } from '../audio/gain.js';
import { resample } from '../audio/resample.js';
import { soundSpan } from '../audio/silence.js';
import { tokenizeWords } from '../speech/text.js';
import type { PcmAudio, VoiceProfile } from '../types.js';
import { trackPitch } from './pitch.js';

const ANALYSIS_RATE = 16_000;
const HOP_S = 0.01;
const FRAME_S = 0.04;
const MIN_HZ = 60;
const MAX_HZ = 500;
const MAX_APERIODICITY = 0.25;
const VOICING_FLOOR_DBFS = -60;
const VOICING_RANGE_DB = 35;
const MIN_DURATION_S = 1;
/** Below this many voiced frames (10 ms each) there is too little voice to describe. */
const MIN_VOICED_FRAMES = 20;
const SYLLABLE_PROMINENCE_DB = 3;
const SYLLABLE_MIN_GAP_FRAMES = 10;
const SYLLABLE_VOICING_REACH_FRAMES = 3;

/** Per-frame analysis of a voice sample, exposed for diagnostics and tests. */
export interface VoiceAnalysis {
  frameHopS: number;
  /** f0 per frame (Hz), 0 where unvoiced. */
  f0Hz: Float64Array;
  /** Level of each 40 ms frame (dBFS). */
  levelDb: Float64Array;
  voiced: Uint8Array;
  /** Speech span in seconds (leading/trailing silence excluded). */
  speechStartS: number;
  speechEndS: number;
  /** Times (s) of the syllable nuclei found. */
  syllableTimesS: number[];
}

function invalid(message: string): MySpinBotError {
  return new MySpinBotError('NODE_INPUT_INVALID', message);
}

function median(values: readonly number[]): number {
  return quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

/** Linear-interpolated quantile of sorted values. */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const position = q * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.min(sorted.length - 1, low + 1);
  const a = sorted[low] ?? 0;
  const b = sorted[high] ?? 0;
  return a + (b - a) * (position - low);
}

/** RBJ band-pass biquad (0 dB peak gain), run forward once. */
function bandPass(samples: Float32Array, sampleRate: number, lowHz: number, highHz: number): Float32Array {
  const centre = Math.sqrt(lowHz * highHz);
  const q = centre / (highHz - lowHz);
  const w0 = (2 * Math.PI * centre) / sampleRate;
  const alpha = Math.sin(w0) / (2 * q);
  const a0 = 1 + alpha;
  const b0 = alpha / a0;
  const b2 = -alpha / a0;
  const a1 = (-2 * Math.cos(w0)) / a0;
  const a2 = (1 - alpha) / a0;
  const out = new Float32Array(samples.length);
  let x1 = 0;
  let x2 = 0;
  let y1 = 0;
  let y2 = 0;
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i] ?? 0;
    const y = b0 * x + b2 * x2 - a1 * y1 - a2 * y2;
    out[i] = y;
    x2 = x1;
    x1 = x;
    y2 = y1;
    y1 = y;
  }
  return out;
}

/** Indices of envelope peaks (dB values) standing at least minProminence above their surrounding dips. */
function prominentPeaks(
  values: Float64Array,
  minProminence: number,
  accept: (index: number) => boolean,
): number[] {
  const found: Array<{ index: number; value: number }> = [];
  for (let i = 1; i < values.length - 1; i++) {
    const value = values[i] ?? -Infinity;
    if (!(value > (values[i - 1] ?? -Infinity) && value >= (values[i + 1] ?? -Infinity))) continue;
    if (!accept(i)) continue;
    let leftMin = value;
    for (let j = i - 1; j >= 0 && (values[j] ?? -Infinity) <= value; j--)
      leftMin = Math.min(leftMin, values[j] ?? value);
    let rightMin = value;
    for (let j = i + 1; j < values.length && (values[j] ?? -Infinity) <= value; j++) {
      rightMin = Math.min(rightMin, values[j] ?? value);
    }
    if (value - Math.max(leftMin, rightMin) >= minProminence) found.push({ index: i, value });
  }
  // Of peaks closer than the minimum gap, the higher one wins.
  const accepted: number[] = [];
  for (const peak of [...found].sort((a, b) => b.value - a.value || a.index - b.index)) {
    if (accepted.every((index) => Math.abs(index - peak.index) >= SYLLABLE_MIN_GAP_FRAMES))
      accepted.push(peak.index);
  }
  return accepted.sort((a, b) => a - b);
}

/** Frame-level analysis behind measureVoice. Validates the input the same way. */
export function analyseVoice(audio: PcmAudio): VoiceAnalysis {
  if (!(audio.sampleRate > 0)) throw invalid(`Voice sample has an invalid sample rate (${audio.sampleRate})`);
  const durationS = audio.samples.length / audio.sampleRate;
  if (durationS < MIN_DURATION_S) {
    throw invalid(
      `Voice sample is too short: ${durationS.toFixed(2)} s (at least ${MIN_DURATION_S} s of speech is needed)`,
    );
  }
  for (let i = 0; i < audio.samples.length; i++) {
    if (!Number.isFinite(audio.samples[i] ?? 0))
      throw invalid(`Voice sample has a non-finite value at sample ${i}`);
  }
  const signal = resample(audio, ANALYSIS_RATE);
  const { samples } = signal;
  const frameLength = Math.round(FRAME_S * ANALYSIS_RATE);
  const hop = Math.round(HOP_S * ANALYSIS_RATE);
  const pitch = trackPitch(samples, ANALYSIS_RATE, {
    minHz: MIN_HZ,
    maxHz: MAX_HZ,
    frameS: FRAME_S,
    hopS: HOP_S,
  });
  const count = pitch.length;
  const levelDb = new Float64Array(count);
  for (let k = 0; k < count; k++) levelDb[k] = gainToDb(rmsOf(samples, k * hop, k * hop + frameLength));
  const loudest = levelDb.reduce((max, value) => Math.max(max, value), -Infinity);
  const span = soundSpan(signal);
  if (span === null || loudest < -60) {
    throw invalid(`Voice sample is silent (loudest 40 ms frame at ${loudest.toFixed(1)} dBFS)`);
  }
  // Voicing is decided by periodicity; the level gate only keeps out faint periodic noise such as hum.
  const threshold = Math.max(VOICING_FLOOR_DBFS, loudest - VOICING_RANGE_DB);
  const inSpan = (k: number): boolean => {
    const centre = k * hop + frameLength / 2;
    return centre >= span.start && centre < span.end;
  };

  const raw = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    const frame = pitch[k];
    if (frame === undefined || !inSpan(k)) continue;
    const voiced =
      (levelDb[k] ?? -Infinity) > threshold &&
      frame.aperiodicity < MAX_APERIODICITY &&
      frame.f0Hz >= MIN_HZ &&
      frame.f0Hz <= MAX_HZ;
    if (voiced) raw[k] = frame.f0Hz;
  }
  // Median filter: each voiced frame takes the median of the voiced frames among the 5 centred on it.
  const f0Hz = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    if ((raw[k] ?? 0) === 0) continue;
    const window: number[] = [];
    for (let j = k - 2; j <= k + 2; j++) if ((raw[j] ?? 0) > 0) window.push(raw[j] ?? 0);
    f0Hz[k] = median(window);
  }
  const centreHz = median(Array.from(f0Hz).filter((value) => value > 0));
  const voiced = new Uint8Array(count);
  for (let k = 0; k < count; k++) {
    const value = f0Hz[k] ?? 0;
    if (value > 0 && Math.abs(Math.log2(value / centreHz)) <= 1) voiced[k] = 1;
    else f0Hz[k] = 0;
  }
  const voicedCount = voiced.reduce((sum, value) => sum + value, 0);
  if (voicedCount < MIN_VOICED_FRAMES) {
    throw invalid(
      `Voice sample has too little voiced speech (${(voicedCount * HOP_S).toFixed(2)} s of voiced frames; ` +
        `at least ${(MIN_VOICED_FRAMES * HOP_S).toFixed(2)} s is needed)`,
    );
  }

  // Syllable nuclei: peaks of the vowel-band envelope near voiced frames.
  const band = bandPass(samples, ANALYSIS_RATE, 300, 2000);
  const envelope = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    const centre = k * hop + frameLength / 2;
    envelope[k] = gainToDb(rmsOf(band, centre - 240, centre + 240));
  }
  const smooth = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    let sum = 0;
    let n = 0;
    for (let j = Math.max(0, k - 2); j <= Math.min(count - 1, k + 2); j++) {
      sum += envelope[j] ?? 0;
      n++;
    }
    smooth[k] = sum / n;
  }
  const nearVoiced = (k: number): boolean => {
    for (let j = k - SYLLABLE_VOICING_REACH_FRAMES; j <= k + SYLLABLE_VOICING_REACH_FRAMES; j++) {
      if ((voiced[j] ?? 0) === 1) return true;
    }
    return false;
  };
  const peaks = prominentPeaks(smooth, SYLLABLE_PROMINENCE_DB, nearVoiced);

  return {
    frameHopS: HOP_S,
    f0Hz,
    levelDb,
    voiced,
    speechStartS: span.start / ANALYSIS_RATE,
    speechEndS: span.end / ANALYSIS_RATE,
    syllableTimesS: peaks.map((k) => (k * hop + frameLength / 2) / ANALYSIS_RATE),
  };
}

/**
 * Measures a voice sample into a VoiceProfile. Throws NODE_INPUT_INVALID when the sample is shorter than
 * 1 s, silent, or holds too little voiced speech.
 */
export function measureVoice(audio: PcmAudio, transcript: string | null): VoiceProfile {
  const analysis = analyseVoice(audio);
  const { f0Hz, levelDb, voiced } = analysis;
  const pitches: number[] = [];
  let energy = 0;
  let spanFrames = 0;
  for (let k = 0; k < voiced.length; k++) {
    const centreS = k * HOP_S + FRAME_S / 2;
    if (centreS >= analysis.speechStartS && centreS < analysis.speechEndS) spanFrames++;
    if ((voiced[k] ?? 0) === 0) continue;
    pitches.push(f0Hz[k] ?? 0);
    energy += 10 ** ((levelDb[k] ?? 0) / 10);
  }
  pitches.sort((a, b) => a - b);
  const speechS = Math.max(HOP_S, analysis.speechEndS - analysis.speechStartS);
  const text = transcript?.trim() ?? '';
  const words = text === '' ? 0 : tokenizeWords(text).length;
  const q25 = quantile(pitches, 0.25);
  const q75 = quantile(pitches, 0.75);
  return {
    version: 1,
    pitchHz: quantile(pitches, 0.5),
    pitchRangeSemitones: q25 > 0 ? 12 * Math.log2(q75 / q25) : 0,
    wordsPerMinute: words > 0 ? words / (speechS / 60) : null,
    syllablesPerSecond: analysis.syllableTimesS.length / speechS,
    loudnessDbfs: 10 * Math.log10(energy / pitches.length),
    voicedRatio: spanFrames > 0 ? pitches.length / spanFrames : 0,
    sampleDurationS: audio.samples.length / audio.sampleRate,
    transcript: text === '' ? null : text,
  };
}
