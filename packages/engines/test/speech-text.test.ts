import { MySpinBotError } from '@myspinbot/contracts';
import { describe, expect, it } from 'vitest';
import { MAX_CHUNK_WORDS, splitIntoChunks } from '../src/speech/chunks.js';
import { assignRegions, distributeWords } from '../src/speech/distribute.js';
import { espeakVoicesFor } from '../src/speech/espeak-engine.js';
import { timingsFromEvents } from '../src/speech/espeak-timing.js';
import { CALIBRATION, DEFAULT_PROSODY, prosodyFor } from '../src/speech/espeak-voice.js';
import type { EspeakEvent } from '../src/speech/espeak-wasm.js';
import {
  escapeSsml,
  estimatePhonemes,
  estimateSyllables,
  tokenize,
  tokenizeWords,
  wordWeight,
} from '../src/speech/text.js';
import type { VoiceProfile } from '../src/types.js';

describe('text helpers', () => {
  it('splits at whitespace and strips edge punctuation, dropping punctuation-only tokens', () => {
    expect(tokenizeWords(' "Hello,  world!" — it\'s (really) 50% of $3.50, e.g. rock & roll... ')).toEqual([
      'Hello',
      'world',
      "it's",
      'really',
      '50%',
      'of',
      '$3.50',
      'e.g',
      'rock',
      '&',
      'roll',
    ]);
    expect(tokenizeWords(' \n\t ')).toEqual([]);
    expect(tokenize('a -- b').map((token) => token.word)).toEqual(['a', '', 'b']);
    expect(tokenize('one two')[1]?.offset).toBe(4);
  });

  it('estimates syllables for words, numbers and other scripts', () => {
    expect(estimateSyllables('cat')).toBe(1);
    expect(estimateSyllables('make')).toBe(1);
    expect(estimateSyllables('table')).toBe(2);
    expect(estimateSyllables('identical')).toBe(4);
    expect(estimateSyllables('rhythm')).toBe(1);
    expect(estimateSyllables('1999')).toBe(6);
    expect(estimateSyllables('café')).toBe(2);
    expect(estimateSyllables('привет')).toBe(3);
    expect(estimatePhonemes('am')).toBe(2);
    expect(estimatePhonemes('1999')).toBe(16);
    expect(estimatePhonemes('—')).toBe(1);
    expect(wordWeight('identical')).toBeGreaterThan(wordWeight('a'));
  });

  it('escapes SSML text', () => {
    expect(escapeSsml('<a> & "b"')).toBe('&lt;a&gt; &amp; "b"');
  });
});

describe('chunking', () => {
  it('cuts after sentence ends unless the next word starts in lower case', () => {
    const chunks = splitIntoChunks('Hello there. Use e.g. this one! "Why?" she asked. And then…');
    expect(chunks.map((chunk) => chunk.tokens.map((token) => token.raw).join(' '))).toEqual([
      'Hello there.',
      'Use e.g. this one!',
      '"Why?" she asked.',
      'And then…',
    ]);
  });

  it('caps a chunk at MAX_CHUNK_WORDS words, preferring a clause mark', () => {
    const words = Array.from({ length: MAX_CHUNK_WORDS + 20 }, (_, i) => (i === 30 ? `w${i},` : `w${i}`));
    const chunks = splitIntoChunks(words.join(' '));
    expect(chunks.length).toBe(2);
    expect(chunks[0]?.tokens.length).toBe(31);
    expect(chunks.flatMap((chunk) => chunk.tokens.map((token) => token.raw))).toEqual(words);
    const plain = Array.from({ length: 2 * MAX_CHUNK_WORDS + 5 }, (_, i) => `w${i}`);
    expect(splitIntoChunks(plain.join(' ')).map((chunk) => chunk.tokens.length)).toEqual([60, 60, 5]);
  });
});

describe('distributing words', () => {
  it('assigns each word to the region holding the middle of its share', () => {
    const regions = [
      { startMs: 0, endMs: 100 },
      { startMs: 500, endMs: 800 },
    ];
    expect(assignRegions([1, 1, 1, 1], regions)).toEqual([0, 1, 1, 1]);
    expect(assignRegions([3, 1], regions)).toEqual([1, 1]);
    expect(assignRegions([1, 9], regions)).toEqual([0, 1]);
  });

  it('assigns words to regions by their share and splits each region by weight', () => {
    const spans = distributeWords(
      [1, 1, 2],
      [
        { startMs: 0, endMs: 100 },
        { startMs: 300, endMs: 500 },
      ],
    );
    expect(spans).toEqual([
      { startMs: 0, endMs: 100 },
      { startMs: 300, endMs: 366.6666666666667 },
      { startMs: 366.6666666666667, endMs: 500 },
    ]);
    expect(distributeWords([1, 1], [])).toEqual([
      { startMs: 0, endMs: 0 },
      { startMs: 0, endMs: 0 },
    ]);
  });
});

/** Events in eSpeak's order, from a compact script: "m:w0@0 p:aɪ@0 p:@586 e@887". */
function script(text: string): EspeakEvent[] {
  return text
    .trim()
    .split(/\s+/)
    .map((item) => {
      const [head = '', time = '0'] = item.split('@');
      const [kind = '', id = ''] = head.split(':');
      const audioPositionMs = Number(time);
      if (kind === 'm') return { type: 'mark', audioPositionMs, id };
      if (kind === 'p') return { type: 'phoneme', audioPositionMs, id };
      return { type: 'end', audioPositionMs, id: null };
    });
}

const word = (index: number, text: string) => ({ index, text, weight: wordWeight(text) });

describe('timings from eSpeak events', () => {
  it('gives each word the phonemes after its mark, ending at its last phoneme', () => {
    const events = script(
      'm:w4@0 p:h@11 p:ə@62 p:l@112 p:ˈoʊ@184 m:w5@317 p:w@317 p:ˈɜː@404 p:@707 p:@714 e@714',
    );
    const { words, phonemes } = timingsFromEvents([word(4, 'hello'), word(5, 'world')], events, 720);
    expect(words).toEqual([
      { text: 'hello', startMs: 11, endMs: 317 },
      { text: 'world', startMs: 317, endMs: 707 },
    ]);
    expect(phonemes.map((p) => p.phoneme)).toEqual(['h', 'ə', 'l', 'ˈoʊ', 'w', 'ˈɜː']);
    expect(phonemes[5]).toEqual({ phoneme: 'ˈɜː', startMs: 404, endMs: 707 });
  });

  it('attributes a phoneme reported before a mark at the same instant to the earlier word', () => {
    const events = script('m:w0@0 p:aɪ@0 p:l@141 m:w1@141 p:ɡ@173 p:ˈoʊ@194 p:@400 e@400');
    const { words } = timingsFromEvents([word(0, "I'll"), word(1, 'go')], events, 400);
    expect(words).toEqual([
      { text: "I'll", startMs: 0, endMs: 173 },
      { text: 'go', startMs: 173, endMs: 400 },
    ]);
  });

  it('shares a merged unit ("I am": the second mark arrives late) between its words at a phoneme onset', () => {
    const events = script('m:w0@0 p:aɪ@0 p:ɐ@75 p:m@133 m:w1@195 m:w2@195 p:h@218 p:ˈɪɹ@271 p:@586 e@887');
    // "m" has no event until "h" at 218, so it lasts until then.
    const { words } = timingsFromEvents([word(0, 'I'), word(1, 'am'), word(2, 'here')], events, 887);
    expect(words[0]).toEqual({ text: 'I', startMs: 0, endMs: 75 });
    expect(words[1]).toEqual({ text: 'am', startMs: 75, endMs: 218 });
    expect(words[2]).toEqual({ text: 'here', startMs: 218, endMs: 586 });
  });

  it('copes with a dropped mark: the words share the stretch, split at the pause', () => {
    const events = script(
      'm:w0@0 p:h@0 p:ˈɪɹ@50 p:@300 p:@400 p:h@400 p:ə@450 p:l@500 p:ˈoʊ@550 p:@700 e@700',
    );
    const { words } = timingsFromEvents([word(0, 'here'), word(1, 'Hello')], events, 700);
    expect(words).toEqual([
      { text: 'here', startMs: 0, endMs: 300 },
      { text: 'Hello', startMs: 400, endMs: 700 },
    ]);
  });

  it('keeps a lone word whole across a pause inside it', () => {
    const events = script('m:w0@0 p:n@10 p:aɪn@60 p:@200 p:t@260 p:iːn@300 p:@450 e@450');
    const { words } = timingsFromEvents([word(0, '19')], events, 450);
    expect(words).toEqual([{ text: '19', startMs: 10, endMs: 450 }]);
  });

  it('keeps leading words without phonemes in the first group', () => {
    const events = script('m:w0@0 m:w1@0 p:b@10 p:iː@60 p:@200 e@200');
    const { words } = timingsFromEvents([word(0, 'a'), word(1, 'bee')], events, 200);
    expect(words[0]?.startMs).toBe(10);
    expect(words[1]?.endMs).toBe(200);
    expect(words[0]?.endMs).toBeLessThanOrEqual(words[1]?.startMs ?? 0);
  });
});

describe('voice shaping', () => {
  const profile = (pitchHz: number, extra: Partial<VoiceProfile> = {}): VoiceProfile => ({
    version: 1,
    pitchHz,
    pitchRangeSemitones: 1.52,
    wordsPerMinute: 175 * CALIBRATION.male.wpmPerRate,
    syllablesPerSecond: 4,
    loudnessDbfs: -20,
    voicedRatio: 0.5,
    sampleDurationS: 10,
    transcript: null,
    ...extra,
  });

  it('uses the defaults without a profile', () => {
    expect(prosodyFor(null)).toEqual(DEFAULT_PROSODY);
    expect(prosodyFor(undefined)).toEqual(DEFAULT_PROSODY);
  });

  it('maps the calibration points back to their settings', () => {
    expect(prosodyFor(profile(102.2))).toEqual({ variant: 'm2', pitch: 50, range: 50, rate: 175 });
    expect(prosodyFor(profile(134.3)).pitch).toBe(75);
    expect(prosodyFor(profile(181.5, { pitchRangeSemitones: 1.77 }))).toMatchObject({
      variant: 'f4',
      pitch: 50,
      range: 50,
    });
  });

  it('clamps extreme profiles into eSpeak ranges and falls back to syllable rate', () => {
    expect(
      prosodyFor(profile(40, { pitchRangeSemitones: 30, wordsPerMinute: 20, syllablesPerSecond: 99 })),
    ).toEqual({ variant: 'm2', pitch: 0, range: 100, rate: 80 });
    expect(prosodyFor(profile(900, { pitchRangeSemitones: -1, wordsPerMinute: 5000 }))).toEqual({
      variant: 'f4',
      pitch: 100,
      range: 0,
      rate: 450,
    });
    expect(
      prosodyFor(
        profile(120, {
          wordsPerMinute: null,
          syllablesPerSecond: CALIBRATION.male.syllablesPerSecondAt175 / 2,
        }),
      ).rate,
    ).toBe(88);
  });

  it('maps language tags to eSpeak voices and refuses non-tags', () => {
    expect(espeakVoicesFor('en')).toEqual(['en-us']);
    expect(espeakVoicesFor('en-GB')).toEqual(['en-gb', 'en-us']);
    expect(espeakVoicesFor('de_DE')).toEqual(['de-de', 'de']);
    expect(() => espeakVoicesFor('en"/><x')).toThrowError(MySpinBotError);
  });
});
