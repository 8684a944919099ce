import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildAssSubtitles,
  buildKaraokeText,
  escapeAssText,
  formatAssTime,
  toAssColor,
} from '../src/captions/ass.js';
import { type CaptionSegment, layoutCaptions, lineLength, segmentWords } from '../src/captions/layout.js';
import { captionGeometry } from '../src/captions/style.js';
import { buildWebVtt, escapeVttText, formatVttTime } from '../src/captions/vtt.js';
import type { WordTiming } from '../src/types.js';

/** Builds word timings from text: `ms` per word plus `gapMs` between words. */
function timed(text: string, startMs = 0, ms = 300, gapMs = 50): WordTiming[] {
  return text.split(' ').map((word, i) => ({
    text: word,
    startMs: startMs + i * (ms + gapMs),
    endMs: startMs + i * (ms + gapMs) + ms,
  }));
}

function parseAssTime(text: string): number {
  const match = /^(\d+):(\d\d):(\d\d)\.(\d\d)$/.exec(text);
  if (match === null) throw new Error(`bad ASS time ${text}`);
  const [, h, m, s, cs] = match;
  return ((Number(h) * 60 + Number(m)) * 60 + Number(s)) * 1000 + Number(cs) * 10;
}

/** Reads back every word of an ASS file with the absolute time its karaoke syllable starts. */
function karaokeWords(ass: string): { text: string; startMs: number }[] {
  const words: { text: string; startMs: number }[] = [];
  for (const line of ass.split('\n')) {
    if (!line.startsWith('Dialogue: ')) continue;
    const fields = line.slice('Dialogue: '.length).split(',');
    let t = parseAssTime(fields[1] ?? '');
    const text = fields.slice(9).join(',');
    for (const match of text.matchAll(/\{\\kf?(\d+)\}((?:[^{\\]|\\[{}]|\\\u2060|\\N)*)/g)) {
      const body = (match[2] ?? '').replace(/\\N/g, ' ').trim();
      if (body !== '') words.push({ text: body, startMs: t });
      t += Number(match[1]) * 10;
    }
  }
  return words;
}

describe('layoutCaptions', () => {
  it('keeps every word once, in order, with its timings', () => {
    const words = timed('the quick brown fox jumps over the lazy dog and keeps running far away');
    const segments = layoutCaptions(words, { maxCharsPerLine: 16 });
    const laidOut = segments.flatMap(segmentWords);
    expect(laidOut.map((w) => w.index)).toEqual(words.map((_, i) => i));
    laidOut.forEach((w, i) => {
      expect(w.startMs).toBe(words[i]?.startMs);
      expect(w.endMs).toBe(words[i]?.endMs);
    });
  });

  it('respects the line width and the line count', () => {
    const segments = layoutCaptions(timed('one two three four five six seven eight nine ten eleven twelve'), {
      maxCharsPerLine: 14,
      maxLines: 2,
    });
    for (const segment of segments) {
      expect(segment.lines.length).toBeLessThanOrEqual(2);
      for (const line of segment.lines) expect(lineLength(line.words)).toBeLessThanOrEqual(14);
    }
    expect(segments.length).toBeGreaterThan(1);
  });

  it('balances the two lines of a segment', () => {
    const [segment] = layoutCaptions(timed('aaaa bbbb cccc dddd eeee'), { maxCharsPerLine: 20 });
    expect(segment?.lines.map((l) => l.words.map((w) => w.text).join(' '))).toEqual([
      'aaaa bbbb',
      'cccc dddd eeee',
    ]);
  });

  it('splits a long sentence into even segments instead of leaving an orphan', () => {
    const segments = layoutCaptions(timed('one two three four five six seven eight nine'), {
      maxCharsPerLine: 10,
      maxLines: 2,
    });
    // Greedy filling would give [one two three four][five six seven][eight nine] -> 20/14/10 characters;
    // three segments are needed either way, and the longest one becomes shorter.
    expect(segments).toHaveLength(3);
    expect(Math.max(...segments.map((s) => lineLength(segmentWords(s))))).toBeLessThan(18);
    const orphan = layoutCaptions(timed('Fish and chips now.'), { maxCharsPerLine: 8, maxLines: 2 });
    expect(orphan.map((s) => segmentWords(s).length)).toEqual([2, 2]);
  });

  it('gives a word longer than a line a line of its own', () => {
    const segments = layoutCaptions(timed('a supercalifragilistic word'), {
      maxCharsPerLine: 8,
      maxLines: 1,
    });
    expect(segments.map((s) => s.lines[0]?.words.map((w) => w.text).join(' '))).toEqual([
      'a',
      'supercalifragilistic',
      'word',
    ]);
  });

  it('breaks at sentence ends, segment changes and long pauses', () => {
    const sentences = layoutCaptions(timed('Hello there. How are you?'), { maxCharsPerLine: 40 });
    expect(sentences.map((s) => segmentWords(s).map((w) => w.text))).toEqual([
      ['Hello', 'there.'],
      ['How', 'are', 'you?'],
    ]);

    const bySegment = layoutCaptions(
      timed('first part second part').map((w, i) => ({ ...w, segment: i < 2 ? 0 : 1 })),
      { maxCharsPerLine: 40 },
    );
    expect(bySegment).toHaveLength(2);

    const paused = [...timed('before the pause'), ...timed('after it', 2000)];
    const byPause = layoutCaptions(paused, { maxCharsPerLine: 40, pauseMs: 600 });
    expect(byPause.map((s) => segmentWords(s).length)).toEqual([3, 2]);
  });

  it('shows a segment until its last word ends plus the hold, never over the next one', () => {
    const paused = [...timed('before the pause'), ...timed('after it', 1400)];
    const [first, second] = layoutCaptions(paused, { pauseMs: 300, holdMs: 400 });
    expect(first?.startMs).toBe(0);
    expect(first?.endMs).toBe(1000 + 400);
    expect(second?.startMs).toBe(1400);
    const tight = layoutCaptions([...timed('a b'), ...timed('c d', 1100)], { pauseMs: 400, holdMs: 800 });
    expect(tight[0]?.endMs).toBe(1100);
  });

  it('skips blank words and rejects impossible timings', () => {
    const segments = layoutCaptions([
      { text: ' ', startMs: 0, endMs: 10 },
      { text: 'word', startMs: 20, endMs: 30 },
    ]);
    expect(segments.flatMap(segmentWords).map((w) => w.index)).toEqual([1]);
    expect(() => layoutCaptions([{ text: 'x', startMs: Number.NaN, endMs: 1 }])).toThrow(/non-numeric/);
    expect(() =>
      layoutCaptions([
        { text: 'b', startMs: 100, endMs: 200 },
        { text: 'a', startMs: 50, endMs: 60 },
      ]),
    ).toThrow(/before/);
    expect(layoutCaptions([])).toEqual([]);
  });
});

describe('ASS karaoke', () => {
  it('starts each word within 10 ms of its timing, over lines and segments', () => {
    const words: WordTiming[] = [
      { text: 'Rounding', startMs: 123, endMs: 404 },
      { text: 'never', startMs: 456, endMs: 707 },
      { text: 'drifts', startMs: 789, endMs: 1101 },
      { text: 'across', startMs: 1234, endMs: 1503 },
      { text: 'many', startMs: 1567, endMs: 1805 },
      { text: 'words.', startMs: 1890, endMs: 2222 },
      { text: 'Next', startMs: 3005, endMs: 3333 },
      { text: 'sentence', startMs: 3337, endMs: 3999 },
    ];
    const ass = buildAssSubtitles(layoutCaptions(words, { maxCharsPerLine: 12 }), {
      videoWidth: 720,
      videoHeight: 1280,
    });
    const read = karaokeWords(ass);
    expect(read.map((w) => w.text)).toEqual(words.map((w) => w.text));
    read.forEach((w, i) => {
      expect(Math.abs(w.startMs - (words[i]?.startMs ?? 0))).toBeLessThanOrEqual(10);
    });
    expect(ass).toContain('\\N');
  });

  it('holds for any word timings (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            text: fc.stringMatching(/^[A-Za-z{}\\.]{1,12}$/),
            gap: fc.integer({ min: 0, max: 1500 }),
            length: fc.integer({ min: 0, max: 900 }),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        fc.integer({ min: 8, max: 40 }),
        (specs, maxChars) => {
          let t = 0;
          const words: WordTiming[] = specs.map((s) => {
            const start = t + s.gap;
            t = start + s.length;
            return { text: s.text, startMs: start, endMs: t };
          });
          const segments = layoutCaptions(words, { maxCharsPerLine: maxChars });
          const order = segments.flatMap(segmentWords).map((w) => w.index);
          expect(order).toEqual(words.map((_, i) => i));
          for (let i = 1; i < segments.length; i++) {
            expect(segments[i]?.startMs ?? 0).toBeGreaterThanOrEqual(segments[i - 1]?.startMs ?? 0);
          }
          const read = karaokeWords(buildAssSubtitles(segments, { videoWidth: 640, videoHeight: 360 }));
          expect(read).toHaveLength(words.length);
          read.forEach((w, i) => {
            expect(Math.abs(w.startMs - (words[i]?.startMs ?? 0))).toBeLessThanOrEqual(10);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('uses \\kf when asked and puts pauses into empty syllables', () => {
    const segment: CaptionSegment = {
      startMs: 1000,
      endMs: 3000,
      lines: [
        {
          words: [
            { text: 'a', startMs: 1000, endMs: 1200, index: 0 },
            { text: 'b', startMs: 1500, endMs: 1700, index: 1 },
          ],
        },
      ],
    };
    expect(buildKaraokeText(segment)).toBe('{\\k20}a {\\k30}{\\k20}b');
    expect(buildKaraokeText(segment, 'kf')).toBe('{\\kf20}a {\\k30}{\\kf20}b');
  });

  it('escapes text so it cannot open override blocks or escapes', () => {
    expect(escapeAssText('{\\b1}bold')).toBe('\\{\\\u2060b1\\}bold');
    expect(escapeAssText('a\\Nb')).toBe('a\\\u2060Nb');
    expect(escapeAssText('line\nbreak')).toBe('line break');
    const ass = buildAssSubtitles(layoutCaptions([{ text: '{evil}', startMs: 0, endMs: 500 }]), {
      videoWidth: 100,
      videoHeight: 100,
    });
    expect(ass).toContain('{\\k50}\\{evil\\}');
  });

  it('sizes the style from the frame and writes valid colours and times', () => {
    const ass = buildAssSubtitles([], { videoWidth: 720, videoHeight: 1280, fontName: 'Bad,Font' });
    const style = ass.split('\n').find((l) => l.startsWith('Style: '));
    const fields = style?.slice('Style: '.length).split(',') ?? [];
    expect(fields).toHaveLength(23);
    expect(fields[1]).toBe('Bad Font');
    expect(Number(fields[2])).toBe(captionGeometry(720, 1280).fontSize);
    expect(fields[3]).toBe('&H003FD2FF');
    expect(fields[18]).toBe('2');
    expect(Number(fields[21])).toBeGreaterThanOrEqual(1280 * 0.05);
    expect(ass).toContain('PlayResX: 720');
    expect(toAssColor('#102030', 128)).toBe('&H80302010');
    expect(() => toAssColor('red')).toThrow(RangeError);
    expect(formatAssTime(3_723_456)).toBe('1:02:03.46');
    expect(formatAssTime(-5)).toBe('0:00:00.00');
  });
});

describe('captionGeometry', () => {
  it('follows the short side and keeps lines inside the safe width', () => {
    const portrait = captionGeometry(720, 1280);
    const landscape = captionGeometry(1280, 720);
    expect(portrait.fontSize).toBe(landscape.fontSize);
    expect(portrait.fontSize).toBeGreaterThanOrEqual(36);
    expect(portrait.maxCharsPerLine * portrait.fontSize * 0.62).toBeLessThanOrEqual(
      720 - 2 * portrait.marginSide,
    );
    expect(landscape.maxCharsPerLine).toBe(42);
    expect(() => captionGeometry(0, 10)).toThrow(RangeError);
  });
});

describe('WebVTT', () => {
  const segments = layoutCaptions(timed('Fish & <chips> --> now. Then more'), { maxCharsPerLine: 12 });

  it('writes one escaped cue per segment', () => {
    const vtt = buildWebVtt(segments);
    expect(vtt.startsWith('WEBVTT\n\n1\n00:00:00.000 --> ')).toBe(true);
    expect(vtt).toContain('Fish &amp;\n&lt;chips&gt;\n\n');
    expect(vtt).toContain('--&gt; now.');
    expect(vtt).not.toMatch(/<chips>/);
    const cues = vtt.trim().split('\n\n').slice(1);
    expect(cues).toHaveLength(segments.length);
    cues.forEach((cue, i) => {
      const [, timing] = cue.split('\n');
      expect(timing).toBe(
        `${formatVttTime(segments[i]?.startMs ?? 0)} --> ${formatVttTime(segments[i]?.endMs ?? 0)}`,
      );
    });
  });

  it('adds increasing word timestamps inside the cue', () => {
    const vtt = buildWebVtt(segments, { wordTimestamps: true });
    const firstCue = vtt.split('\n\n')[1] ?? '';
    expect(firstCue).toContain('<c>Fish</c> <00:00:00.350><c>&amp;</c>');
    for (const cue of vtt.split('\n\n').slice(1)) {
      const [, timing, ...text] = cue.trim().split('\n');
      const [start, end] = (timing ?? '').split(' --> ');
      const stamps = [...text.join('\n').matchAll(/<(\d\d:\d\d:\d\d\.\d{3})>/g)].map((m) => m[1] ?? '');
      const all = [start ?? '', ...stamps, end ?? ''];
      for (let i = 1; i < all.length; i++) expect((all[i] ?? '') > (all[i - 1] ?? '')).toBe(true);
    }
  });

  it('formats times and escapes text', () => {
    expect(formatVttTime(3_723_456)).toBe('01:02:03.456');
    expect(escapeVttText('a<b>&c\nd')).toBe('a&lt;b&gt;&amp;c d');
  });
});
