/**
 * Karaoke caption layout from word timings (pure). Rules kept:
 * - words keep their order and timings; every word lands in exactly one line of one segment;
 * - a line holds at most `maxCharsPerLine` characters (a single longer word gets a line of its own);
 * - a segment holds at most `maxLines` lines;
 * - a new segment starts at a sentence end (text ending in . ! ? or …), when the narration's segment index
 *   changes, and at a pause of at least `pauseMs` between two words;
 * - a phrase that needs several segments is split into as few as possible, with the longest one as short as
 *   possible (no orphan word left alone at the end of a sentence);
 * - within a segment the line break is placed where the longer line is shortest (balanced lines; on a tie
 *   the top line is the shorter one, a bottom-heavy pyramid);
 * - a segment is shown from its first word's start until its last word's end plus `holdMs`, never past the
 *   next segment's start.
 */
import { MySpinBotError } from '@myspinbot/contracts';
import type { WordTiming } from '../types.js';

export interface CaptionLayoutOptions {
  /** Default 32. */
  maxCharsPerLine?: number;
  /** Default 2. */
  maxLines?: number;
  /** A silence this long between two words starts a new segment. Default 600 ms. */
  pauseMs?: number;
  /** How long a segment stays after its last word. Default 400 ms. */
  holdMs?: number;
}

export interface CaptionWord {
  text: string;
  startMs: number;
  endMs: number;
  /** Position of the word in the input array. */
  index: number;
}

export interface CaptionLine {
  words: CaptionWord[];
}

export interface CaptionSegment {
  startMs: number;
  endMs: number;
  lines: CaptionLine[];
}

interface Resolved {
  maxCharsPerLine: number;
  maxLines: number;
  pauseMs: number;
  holdMs: number;
}

function resolve(options: CaptionLayoutOptions): Resolved {
  const resolved = {
    maxCharsPerLine: options.maxCharsPerLine ?? 32,
    maxLines: options.maxLines ?? 2,
    pauseMs: options.pauseMs ?? 600,
    holdMs: options.holdMs ?? 400,
  };
  if (!Number.isInteger(resolved.maxCharsPerLine) || resolved.maxCharsPerLine < 4) {
    throw new RangeError('maxCharsPerLine must be an integer >= 4');
  }
  if (!Number.isInteger(resolved.maxLines) || resolved.maxLines < 1) {
    throw new RangeError('maxLines must be an integer >= 1');
  }
  if (!(resolved.pauseMs >= 0) || !(resolved.holdMs >= 0))
    throw new RangeError('pauseMs/holdMs must be >= 0');
  return resolved;
}

const SENTENCE_END = /[.!?…。！？]["'”’)\]]*$/u;

/** Characters a line of words takes on screen (single spaces between words). */
export function lineLength(words: readonly { text: string }[]): number {
  let length = 0;
  for (const word of words) length += [...word.text].length;
  return length + Math.max(0, words.length - 1);
}

/** Validates and normalises the input words; NODE_INPUT_INVALID for timings that are not numbers. */
function normaliseWords(words: readonly WordTiming[]): (CaptionWord & { segment?: number })[] {
  const out: (CaptionWord & { segment?: number })[] = [];
  let previousStart = Number.NEGATIVE_INFINITY;
  words.forEach((word, index) => {
    if (!Number.isFinite(word.startMs) || !Number.isFinite(word.endMs)) {
      throw new MySpinBotError('NODE_INPUT_INVALID', `Word ${index} has a non-numeric timing`, {
        details: { index },
      });
    }
    if (word.startMs < previousStart) {
      throw new MySpinBotError('NODE_INPUT_INVALID', `Word ${index} starts before the word before it`, {
        details: { index, startMs: word.startMs, previousStartMs: previousStart },
      });
    }
    previousStart = word.startMs;
    const text = word.text.replace(/\s+/g, ' ').trim();
    if (text === '') return;
    const entry: CaptionWord & { segment?: number } = {
      text,
      startMs: Math.max(0, word.startMs),
      endMs: Math.max(word.startMs, word.endMs),
      index,
    };
    if (word.segment !== undefined) entry.segment = word.segment;
    out.push(entry);
  });
  return out;
}

/** Splits a run of words into phrases at hard breaks (sentence ends, segment changes, pauses). */
function splitPhrases(words: (CaptionWord & { segment?: number })[], pauseMs: number): CaptionWord[][] {
  const phrases: CaptionWord[][] = [];
  let current: CaptionWord[] = [];
  let previous: (CaptionWord & { segment?: number }) | undefined;
  for (const word of words) {
    if (previous !== undefined) {
      const hardBreak =
        SENTENCE_END.test(previous.text) ||
        (word.segment !== undefined && previous.segment !== undefined && word.segment !== previous.segment) ||
        word.startMs - previous.endMs >= pauseMs;
      if (hardBreak && current.length > 0) {
        phrases.push(current);
        current = [];
      }
    }
    const { segment: _segment, ...plain } = word;
    current.push(plain);
    previous = word;
  }
  if (current.length > 0) phrases.push(current);
  return phrases;
}

/** Greedily fills lines of at most `maxChars`; a word longer than that gets its own line. */
function greedyLines(words: CaptionWord[], maxChars: number): CaptionWord[][] {
  const lines: CaptionWord[][] = [];
  let line: CaptionWord[] = [];
  for (const word of words) {
    if (line.length > 0 && lineLength([...line, word]) > maxChars) {
      lines.push(line);
      line = [];
    }
    line.push(word);
  }
  if (line.length > 0) lines.push(line);
  return lines;
}

/**
 * Splits a segment's words into `lineCount` lines minimising the longest line (ties: the earlier break, so
 * the top line is the shorter one), each line within `maxChars` where possible.
 */
function balanceLines(words: CaptionWord[], lineCount: number, maxChars: number): CaptionWord[][] {
  if (lineCount <= 1 || words.length <= 1) return [words];
  if (lineCount === 2) {
    let best: CaptionWord[][] = [words];
    let bestLongest = Number.POSITIVE_INFINITY;
    for (let cut = 1; cut < words.length; cut++) {
      const top = words.slice(0, cut);
      const bottom = words.slice(cut);
      const longest = Math.max(lineLength(top), lineLength(bottom));
      if (longest < bestLongest) {
        best = [top, bottom];
        bestLongest = longest;
      }
    }
    return best;
  }
  return greedyLines(words, maxChars);
}

/** Longest phrase (in words) that is split optimally; longer ones are split greedily. */
const MAX_OPTIMAL_WORDS = 400;

/**
 * Splits a phrase into the fewest segments that each fit `maxLines` lines, minimising the longest segment
 * (dynamic programming over cut positions); greedy filling decides how many segments are needed.
 */
function splitPhrase(phrase: CaptionWord[], settings: Resolved): CaptionWord[][] {
  const lines = greedyLines(phrase, settings.maxCharsPerLine);
  const count = Math.ceil(lines.length / settings.maxLines);
  const greedy: CaptionWord[][] = [];
  for (let i = 0; i < lines.length; i += settings.maxLines)
    greedy.push(lines.slice(i, i + settings.maxLines).flat());
  if (count <= 1 || phrase.length > MAX_OPTIMAL_WORDS) return greedy;

  const n = phrase.length;
  const fits = (from: number, to: number): boolean =>
    greedyLines(phrase.slice(from, to), settings.maxCharsPerLine).length <= settings.maxLines;
  // cost[g][j]: smallest possible longest segment when the first j words form g segments.
  const cost: number[][] = Array.from({ length: count + 1 }, () => new Array<number>(n + 1).fill(Infinity));
  const cut: number[][] = Array.from({ length: count + 1 }, () => new Array<number>(n + 1).fill(-1));
  const row0 = cost[0];
  if (row0 !== undefined) row0[0] = 0;
  for (let g = 1; g <= count; g++) {
    const row = cost[g];
    const previous = cost[g - 1];
    const cutRow = cut[g];
    if (row === undefined || previous === undefined || cutRow === undefined) continue;
    for (let j = 1; j <= n; j++) {
      for (let i = j - 1; i >= 0; i--) {
        if (!fits(i, j)) break;
        const before = previous[i] ?? Infinity;
        if (before === Infinity) continue;
        const candidate = Math.max(before, lineLength(phrase.slice(i, j)));
        if (candidate < (row[j] ?? Infinity)) {
          row[j] = candidate;
          cutRow[j] = i;
        }
      }
    }
  }
  const groups: CaptionWord[][] = [];
  let end = n;
  for (let g = count; g >= 1; g--) {
    const start = cut[g]?.[end] ?? -1;
    if (start < 0) return greedy;
    groups.unshift(phrase.slice(start, end));
    end = start;
  }
  return end === 0 ? groups : greedy;
}

/** Lays out karaoke caption segments; see the module comment for the rules. */
export function layoutCaptions(
  words: readonly WordTiming[],
  options: CaptionLayoutOptions = {},
): CaptionSegment[] {
  const settings = resolve(options);
  const phrases = splitPhrases(normaliseWords(words), settings.pauseMs);
  const groups: CaptionWord[][] = [];
  for (const phrase of phrases) groups.push(...splitPhrase(phrase, settings));
  const segments: CaptionSegment[] = groups.map((group) => {
    const lineCount = greedyLines(group, settings.maxCharsPerLine).length;
    const lines = balanceLines(group, lineCount, settings.maxCharsPerLine).map((lineWords) => ({
      words: lineWords,
    }));
    const first = group[0];
    const last = group[group.length - 1];
    return {
      startMs: first?.startMs ?? 0,
      endMs: (last?.endMs ?? 0) + settings.holdMs,
      lines,
    };
  });
  for (let i = 0; i + 1 < segments.length; i++) {
    const segment = segments[i];
    const next = segments[i + 1];
    if (segment !== undefined && next !== undefined) {
      const lastWordStart = segmentWords(segment).at(-1)?.startMs ?? segment.startMs;
      segment.endMs = Math.max(lastWordStart, Math.min(segment.endMs, next.startMs));
    }
  }
  return segments;
}

/** All words of a segment in reading order. */
export function segmentWords(segment: CaptionSegment): CaptionWord[] {
  return segment.lines.flatMap((line) => line.words);
}
