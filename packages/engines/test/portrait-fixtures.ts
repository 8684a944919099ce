/**
 * Synthetic speech for portrait tests: syllable-like amplitude-modulated tone bursts whose phoneme and word
 * timings match the audio exactly, with a long pause in the middle.
 */
import type { PhonemeTiming, SpeechResult, WordTiming } from '../src/types.js';

const VOWELS = /[aeiouəɛɪʊɔæɑʌɜ]/;
const VOICED = new Set(['l', 'ɹ', 'n', 'm', 'ð', 'j', 'w']);

/** Words as [text, [[phoneme, ms], ...]]; `null` is a pause of the given ms. */
export type Script = ([string, [string, number][]] | number)[];

export const DEFAULT_SCRIPT: Script = [
  200,
  [
    'hello',
    [
      ['h', 60],
      ['ə', 90],
      ['l', 60],
      ['oʊ', 170],
    ],
  ],
  [
    'there',
    [
      ['ð', 70],
      ['ɛ', 160],
      ['ɹ', 80],
    ],
  ],
  [
    'my',
    [
      ['m', 90],
      ['aɪ', 210],
    ],
  ],
  [
    'friend',
    [
      ['f', 80],
      ['ɹ', 60],
      ['ɛ', 150],
      ['n', 70],
      ['d', 50],
    ],
  ],
  1000,
  [
    'how',
    [
      ['h', 70],
      ['aʊ', 230],
    ],
  ],
  [
    'are',
    [
      ['ɑː', 210],
      ['ɹ', 60],
    ],
  ],
  [
    'you',
    [
      ['j', 70],
      ['uː', 230],
    ],
  ],
  300,
];

function amplitudeOf(phoneme: string): number {
  if (VOWELS.test(phoneme)) return 0.55;
  if (VOICED.has(phoneme)) return 0.18;
  return 0.06;
}

/** Renders a script into a SpeechResult at `sampleRate`. */
export function syntheticSpeech(script: Script = DEFAULT_SCRIPT, sampleRate = 16_000): SpeechResult {
  const words: WordTiming[] = [];
  const phonemes: PhonemeTiming[] = [];
  const spans: { start: number; end: number; amplitude: number }[] = [];
  let t = 0;
  for (const item of script) {
    if (typeof item === 'number') {
      t += item;
      continue;
    }
    const [text, parts] = item;
    const wordStart = t;
    for (const [phoneme, ms] of parts) {
      phonemes.push({ phoneme, startMs: t, endMs: t + ms });
      spans.push({ start: t, end: t + ms, amplitude: amplitudeOf(phoneme) });
      t += ms;
    }
    words.push({ text, startMs: wordStart, endMs: t });
  }
  const durationMs = t;
  const samples = new Float32Array(Math.round((durationMs * sampleRate) / 1000));
  const ramp = 0.012 * sampleRate;
  for (const span of spans) {
    const from = Math.round((span.start * sampleRate) / 1000);
    const to = Math.round((span.end * sampleRate) / 1000);
    for (let i = from; i < to && i < samples.length; i++) {
      const edge = Math.min(1, (i - from) / ramp, (to - i) / ramp);
      const phase = (2 * Math.PI * 120 * i) / sampleRate;
      const tone = Math.sin(phase) + 0.5 * Math.sin(2 * phase) + 0.3 * Math.sin(3 * phase);
      samples[i] = (span.amplitude * edge * tone) / 1.8;
    }
  }
  return { audio: { sampleRate, samples }, durationMs, words, phonemes, engine: 'synthetic' };
}

/** Start and end (ms) of the longest silence between words. */
export function longestPause(speech: SpeechResult): [number, number] {
  let best: [number, number] = [0, 0];
  for (let i = 1; i < speech.words.length; i++) {
    const gapStart = speech.words[i - 1]?.endMs ?? 0;
    const gapEnd = speech.words[i]?.startMs ?? 0;
    if (gapEnd - gapStart > best[1] - best[0]) best = [gapStart, gapEnd];
  }
  return best;
}

/** Pearson correlation of two equally long series. */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] ?? 0;
    mb += b[i] ?? 0;
  }
  ma /= n;
  mb /= n;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i++) {
    const da = (a[i] ?? 0) - ma;
    const db = (b[i] ?? 0) - mb;
    cov += da * db;
    va += da * da;
    vb += db * db;
  }
  return va === 0 || vb === 0 ? 0 : cov / Math.sqrt(va * vb);
}
