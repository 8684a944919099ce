/**
 * Word timings for engines that return audio only (remote adapters). Rule: find the stretches of sound in
 * the audio (energy-based, pauses of 150 ms or more split them; see audio/silence.ts), then spread the
 * words over them in proportion to their weights (estimated syllables and characters, see wordWeight and
 * distributeWords). With no detectable sound the words share the whole audio. Accuracy is that of a
 * proportional estimate: word starts are typically within a syllable or two; pauses in the audio keep the
 * error from accumulating across phrases.
 */
import { durationMs } from '../audio/pcm.js';
import { detectSoundRegions } from '../audio/silence.js';
import type { PcmAudio, WordTiming } from '../types.js';
import { distributeWords, type Span } from './distribute.js';
import { tokenizeWords, wordWeight } from './text.js';

/** Pauses at least this long separate speech regions. */
const MIN_PAUSE_MS = 150;

export function estimateWordTimings(text: string, audio: PcmAudio): WordTiming[] {
  const words = tokenizeWords(text);
  const totalMs = durationMs(audio);
  const toMs = (sample: number): number => (sample * 1000) / audio.sampleRate;
  let regions: Span[] = detectSoundRegions(audio, { minSilenceMs: MIN_PAUSE_MS }).map((region) => ({
    startMs: toMs(region.start),
    endMs: toMs(region.end),
  }));
  if (regions.length === 0) regions = [{ startMs: 0, endMs: totalMs }];
  const spans = distributeWords(words.map(wordWeight), regions);
  return words.map((text, i) => {
    const startMs = Math.min(totalMs, spans[i]?.startMs ?? 0);
    return { text, startMs, endMs: Math.min(totalMs, Math.max(startMs, spans[i]?.endMs ?? startMs)) };
  });
}
