/** Assertions shared by the speech tests. */
import { expect } from 'vitest';
import { tokenizeWords } from '../src/speech/text.js';
import type { SpeechResult } from '../src/types.js';

/** The result's words are the text's words, in order, with ordered non-overlapping times inside the audio. */
export function expectValidTimings(result: SpeechResult, text: string): void {
  expect(result.words.map((word) => word.text)).toEqual(tokenizeWords(text));
  expect(result.durationMs).toBeCloseTo((result.audio.samples.length * 1000) / result.audio.sampleRate, 6);
  let previousEnd = 0;
  for (const word of result.words) {
    expect(word.startMs).toBeGreaterThanOrEqual(previousEnd);
    expect(word.endMs).toBeGreaterThanOrEqual(word.startMs);
    expect(word.endMs).toBeLessThanOrEqual(result.durationMs);
    previousEnd = word.endMs;
  }
  let previousPhonemeEnd = 0;
  for (const phoneme of result.phonemes) {
    expect(phoneme.phoneme).not.toBe('');
    expect(phoneme.startMs).toBeGreaterThanOrEqual(previousPhonemeEnd);
    expect(phoneme.endMs).toBeGreaterThan(phoneme.startMs);
    expect(phoneme.endMs).toBeLessThanOrEqual(result.durationMs);
    previousPhonemeEnd = phoneme.endMs;
  }
}
