/** Level measures and gain changes. Levels are in dBFS: 0 dBFS is a full-scale (±1) sample. */
import type { PcmAudio } from '../types.js';
import { rmsOf } from './envelope.js';

/** The level silence reports, instead of -Infinity. */
export const SILENCE_DBFS = -120;

export function dbToGain(db: number): number {
  return 10 ** (db / 20);
}

/** Linear amplitude to dB, floored at SILENCE_DBFS. */
export function gainToDb(gain: number): number {
  return gain > 0 ? Math.max(SILENCE_DBFS, 20 * Math.log10(gain)) : SILENCE_DBFS;
}

/** Largest absolute sample value. */
export function peakOf(samples: Float32Array): number {
  let peak = 0;
  for (let i = 0; i < samples.length; i++) {
    const value = Math.abs(samples[i] ?? 0);
    if (value > peak) peak = value;
  }
  return peak;
}

export function peakDbfs(audio: PcmAudio): number {
  return gainToDb(peakOf(audio.samples));
}

export function rmsDbfs(audio: PcmAudio): number {
  return gainToDb(rmsOf(audio.samples));
}

/** Scales every sample by a gain in dB (no clipping: values may leave -1..1). */
export function applyGain(audio: PcmAudio, db: number): PcmAudio {
  const gain = dbToGain(db);
  const samples = new Float32Array(audio.samples.length);
  for (let i = 0; i < samples.length; i++) samples[i] = (audio.samples[i] ?? 0) * gain;
  return { sampleRate: audio.sampleRate, samples };
}

/** Scales so that the peak sits at targetDbfs (default -1 dBFS). Silent audio comes back unchanged. */
export function normalizePeak(audio: PcmAudio, targetDbfs = -1): PcmAudio {
  const peak = peakOf(audio.samples);
  if (peak === 0) return audio;
  return applyGain(audio, targetDbfs - gainToDb(peak));
}

/**
 * Scales so that the RMS level reaches targetDbfs (default -20 dBFS), but never lifts the peak above
 * peakCeilingDbfs (default -1 dBFS): a peaky signal ends up quieter than the target instead of clipping.
 * Silent audio comes back unchanged.
 */
export function normalizeRms(
  audio: PcmAudio,
  targetDbfs = -20,
  options: { peakCeilingDbfs?: number } = {},
): PcmAudio {
  const rms = rmsOf(audio.samples);
  const peak = peakOf(audio.samples);
  if (rms === 0 || peak === 0) return audio;
  const wanted = targetDbfs - gainToDb(rms);
  const allowed = (options.peakCeilingDbfs ?? -1) - gainToDb(peak);
  return applyGain(audio, Math.min(wanted, allowed));
}
