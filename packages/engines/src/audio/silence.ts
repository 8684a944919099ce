/**
 * Speech/silence segmentation by frame energy. A frame is "sound" when its RMS level is above a threshold
 * that adapts to the recording:
 *   threshold = max(floorDbfs, min(loudest - 6 dB, max(noiseFloor + noiseMarginDb, loudest + relativeDb)))
 * where noiseFloor is the 10th percentile of the frame levels and loudest the loudest frame. So a clean
 * recording is cut at floorDbfs, a noisy one just above its hiss, the threshold stays below the speech
 * peaks, and nothing quieter than floorDbfs is ever sound. Runs of sound closer than minSilenceMs are joined; runs shorter than minSoundMs are dropped.
 */
import type { PcmAudio } from '../types.js';
import { frameRms } from './envelope.js';
import { gainToDb } from './gain.js';
import { sliceAudio } from './pcm.js';

export interface SilenceOptions {
  /** Hop between analysis frames (ms); the window is twice this. Default 10. */
  frameMs?: number;
  /** Absolute lowest threshold (dBFS). Default -55. */
  floorDbfs?: number;
  /** How far above the noise floor sound must be (dB). Default 8. */
  noiseMarginDb?: number;
  /** Lowest threshold relative to the loudest frame (dB, negative). Default -50. */
  relativeDb?: number;
  /** Gaps shorter than this join the sound around them (ms). Default 200. */
  minSilenceMs?: number;
  /** Sound runs shorter than this are ignored (ms). Default 60. */
  minSoundMs?: number;
}

/** A stretch of sound, in samples: [start, end). */
export interface SoundRegion {
  start: number;
  end: number;
}

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.floor(fraction * (sorted.length - 1))));
  return sorted[index] ?? 0;
}

/** The adaptive sound threshold (dBFS) for a series of frame levels (dBFS). */
export function soundThresholdDbfs(levelsDb: readonly number[], options: SilenceOptions = {}): number {
  const sorted = [...levelsDb].sort((a, b) => a - b);
  const loudest = sorted[sorted.length - 1] ?? 0;
  const noiseFloor = percentile(sorted, 0.1);
  const adaptive = Math.max(noiseFloor + (options.noiseMarginDb ?? 8), loudest + (options.relativeDb ?? -50));
  return Math.max(options.floorDbfs ?? -55, Math.min(loudest - 6, adaptive));
}

/** The stretches of sound in the audio, in order. Silent audio has none. */
export function detectSoundRegions(audio: PcmAudio, options: SilenceOptions = {}): SoundRegion[] {
  const { sampleRate, samples } = audio;
  if (samples.length === 0 || !(sampleRate > 0)) return [];
  const hop = Math.max(1, Math.round(((options.frameMs ?? 10) * sampleRate) / 1000));
  const levels = Array.from(frameRms(samples, hop * 2, hop), (rms) => gainToDb(rms));
  const threshold = soundThresholdDbfs(levels, options);
  const minGap = Math.ceil(((options.minSilenceMs ?? 200) * sampleRate) / 1000 / hop);
  const minRun = Math.ceil(((options.minSoundMs ?? 60) * sampleRate) / 1000 / hop);

  const runs: Array<{ first: number; last: number }> = [];
  for (let k = 0; k < levels.length; k++) {
    if ((levels[k] ?? -Infinity) <= threshold) continue;
    const previous = runs[runs.length - 1];
    if (previous !== undefined && k - previous.last - 1 < minGap) previous.last = k;
    else runs.push({ first: k, last: k });
  }
  const regions: SoundRegion[] = [];
  for (const run of runs) {
    if (run.last - run.first + 1 < minRun) continue;
    // A frame's window spans two hops, so the sound of frame k reaches to (k + 2) * hop.
    regions.push({ start: run.first * hop, end: Math.min(samples.length, (run.last + 2) * hop) });
  }
  return regions;
}

/** The span from the first sound to the last, or null when the audio is silent. */
export function soundSpan(audio: PcmAudio, options: SilenceOptions = {}): SoundRegion | null {
  const regions = detectSoundRegions(audio, options);
  const first = regions[0];
  const last = regions[regions.length - 1];
  return first === undefined || last === undefined ? null : { start: first.start, end: last.end };
}

/**
 * Cuts leading and trailing silence, keeping padMs (default 50) of it on each side. Silent audio trims to
 * nothing. start/end say which samples of the input were kept.
 */
export function trimSilence(
  audio: PcmAudio,
  options: SilenceOptions & { padMs?: number } = {},
): { audio: PcmAudio; start: number; end: number } {
  const span = soundSpan(audio, options);
  if (span === null) return { audio: sliceAudio(audio, 0, 0), start: 0, end: 0 };
  const pad = Math.round(((options.padMs ?? 50) * audio.sampleRate) / 1000);
  const start = Math.max(0, span.start - pad);
  const end = Math.min(audio.samples.length, span.end + pad);
  return { audio: sliceAudio(audio, start, end), start, end };
}
