/**
 * The post-script step (pure): a written script's narration made ready for speech and captions.
 * Rules kept:
 * - the narration is cleaned for speech (speakable.ts); nothing speakable left is NODE_INPUT_INVALID;
 * - limits apply to the cleaned narration: at most maxWords words (tokenizeWords) and maxChars characters;
 * - a narration over a limit is cut, and `truncated` is true: after the last whole sentence that fits when
 *   that keeps at least half of either limit; otherwise inside the next sentence at the last clause mark
 *   (, ; : dash) that fits and keeps at least half of a limit, else after the last word that fits (not a
 *   dangling "and", "the", "of"... when another word fits), else (a single word longer than maxChars)
 *   inside that word; a cut narration ends with a period (a trailing clause mark becomes one) unless
 *   maxChars is too small to hold even one character and a period; the cut text is cleaned again (a cut
 *   can open a quotation or expose a leading dash) and the cleaned form kept when it still fits;
 * - the (possibly cut) narration is split into caption segments (segments.ts) of at most maxSegmentChars
 *   (default 84: two caption lines of 42), whose words are exactly the narration's words, in order;
 * - estimatedDurationS = estimated syllables / 4.5 per second, rounded to 0.1 s.
 */
import { MySpinBotError } from '@myspinbot/contracts';
import { endsSentence, ensureFinalPunctuation } from '../llm/tidy.js';
import { isEnglish, type Script } from '../llm/types.js';
import { estimateSyllables, tokenizeWords } from '../speech/text.js';
import { type CaptionSegment, splitSegments } from './segments.js';
import { speakableNarration } from './speakable.js';

/** Two caption lines of 42 characters. */
export const DEFAULT_MAX_SEGMENT_CHARS = 42 * 2;
/** Typical speaking rate used for the duration estimate. */
export const SYLLABLES_PER_SECOND = 4.5;

export interface PostScriptLimits {
  maxWords: number;
  maxChars: number;
  /** Default DEFAULT_MAX_SEGMENT_CHARS. */
  maxSegmentChars?: number;
  /** BCP-47 tag; English (the default) also spells out abbreviations, symbols and numbers. */
  language?: string;
}

export interface PostScriptResult {
  narration: string;
  segments: CaptionSegment[];
  words: number;
  truncated: boolean;
  estimatedDurationS: number;
}

function checkLimit(value: number | undefined, name: string): number {
  if (value === undefined || !Number.isInteger(value) || value < 1) {
    throw new MySpinBotError(
      'NODE_INPUT_INVALID',
      `post-script: ${name} must be a whole number >= 1, got ${value}`,
      {
        details: { field: name },
      },
    );
  }
  return value;
}

const CLAUSE_END = /[,;:—–-]["')\]}»]*$/u;
/** Words a cut should not end on ("... and bought bread and."). */
const DANGLING_WORDS = new Set([
  'a',
  'an',
  'the',
  'and',
  'or',
  'but',
  'so',
  'to',
  'of',
  'in',
  'on',
  'at',
  'for',
  'with',
  'from',
  'by',
  'that',
  'which',
  'who',
  'my',
  'your',
  'our',
  'their',
  'his',
  'her',
  'its',
]);

interface Cut {
  text: string;
  truncated: boolean;
}

/** The narration cut to the limits (see the rules at the top). */
function cutToLimits(narration: string, maxWords: number, maxChars: number): Cut {
  const tokens = narration.split(' ');
  // prefixWords[n] / prefixChars[n]: words and characters of the first n tokens joined by spaces.
  const prefixWords = [0];
  const prefixChars = [0];
  tokens.forEach((token, index) => {
    prefixWords.push((prefixWords[index] ?? 0) + tokenizeWords(token).length);
    prefixChars.push((prefixChars[index] ?? 0) + (index === 0 ? 0 : 1) + token.length);
  });
  const fits = (n: number): boolean => (prefixWords[n] ?? 0) <= maxWords && (prefixChars[n] ?? 0) <= maxChars;
  if (fits(tokens.length)) return { text: narration, truncated: false };

  let sentenceEnd = 0;
  for (let n = 1; n <= tokens.length && fits(n); n++) {
    if (endsSentence(tokens[n - 1] ?? '') && (prefixWords[n] ?? 0) > 0) sentenceEnd = n;
  }
  const keepsEnough = (n: number): boolean =>
    (prefixWords[n] ?? 0) * 2 >= maxWords || (prefixChars[n] ?? 0) * 2 >= maxChars;
  if (sentenceEnd > 0 && keepsEnough(sentenceEnd))
    return { text: tokens.slice(0, sentenceEnd).join(' '), truncated: true };

  // A cut inside the sentence, right after a word: the candidate with its final period must fit.
  const ended = (n: number): string | null => {
    if (tokenizeWords(tokens[n - 1] ?? '').length === 0) return null;
    if ((prefixWords[n] ?? 0) > maxWords || (prefixChars[n] ?? 0) > maxChars + 1) return null;
    const text = ensureFinalPunctuation(tokens.slice(0, n).join(' '));
    return text.length <= maxChars && tokenizeWords(text).length > 0 ? text : null;
  };
  for (let n = tokens.length - 1; n > sentenceEnd; n--) {
    if (!CLAUSE_END.test(tokens[n - 1] ?? '') || !keepsEnough(n)) continue;
    const text = ended(n);
    if (text !== null) return { text, truncated: true };
  }
  for (const avoidDangling of [true, false]) {
    for (let n = tokens.length - 1; n > sentenceEnd; n--) {
      if (avoidDangling && DANGLING_WORDS.has((tokenizeWords(tokens[n - 1] ?? '')[0] ?? '').toLowerCase()))
        continue;
      const text = ended(n);
      if (text !== null) return { text, truncated: true };
    }
  }
  if (sentenceEnd > 0) return { text: tokens.slice(0, sentenceEnd).join(' '), truncated: true };
  // The first word alone is too long: keep its beginning (without the punctuation around it).
  const characters = Array.from(tokenizeWords(narration)[0] ?? '');
  for (let length = Math.min(characters.length, maxChars - 1); length > 0; length--) {
    const text = ensureFinalPunctuation(characters.slice(0, length).join(''));
    if (text.length <= maxChars && tokenizeWords(text).length > 0) return { text, truncated: true };
  }
  // Not even one character and a period fit: the final period is dropped.
  for (let length = Math.min(characters.length, maxChars); length > 0; length--) {
    const text = characters.slice(0, length).join('');
    if (text.length <= maxChars && tokenizeWords(text).length > 0) return { text, truncated: true };
  }
  throw new MySpinBotError(
    'NODE_INPUT_INVALID',
    `post-script: no word of the narration fits in ${maxChars} characters`,
    {
      details: { maxChars },
    },
  );
}

/** Cleans, limits and segments the script's narration (see the rules at the top). */
export function postScript(script: Pick<Script, 'narration'>, limits: PostScriptLimits): PostScriptResult {
  const maxWords = checkLimit(limits.maxWords, 'maxWords');
  const maxChars = checkLimit(limits.maxChars, 'maxChars');
  const maxSegmentChars = checkLimit(limits.maxSegmentChars ?? DEFAULT_MAX_SEGMENT_CHARS, 'maxSegmentChars');
  const english = isEnglish((limits.language ?? '').trim().toLowerCase() || 'en');
  const cleaned = speakableNarration(typeof script.narration === 'string' ? script.narration : '', {
    english,
  });
  if (cleaned === '') {
    throw new MySpinBotError('NODE_INPUT_INVALID', 'post-script: the narration has no words to speak');
  }
  const cut = cutToLimits(cleaned, maxWords, maxChars);
  // A cut can leave something cleaning removes (an open quotation, a leading dash): clean the cut text
  // again and keep that when it still fits.
  const recleaned = cut.truncated ? speakableNarration(cut.text, { english }) : cut.text;
  const text =
    recleaned !== '' && recleaned.length <= maxChars && tokenizeWords(recleaned).length <= maxWords
      ? recleaned
      : cut.text;
  const truncated = cut.truncated;
  const words = tokenizeWords(text);
  const syllables = words.reduce((sum, word) => sum + estimateSyllables(word), 0);
  return {
    narration: text,
    segments: splitSegments(text, maxSegmentChars),
    words: words.length,
    truncated,
    estimatedDurationS: Math.round((syllables / SYLLABLES_PER_SECOND) * 10) / 10,
  };
}
