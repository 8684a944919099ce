/**
 * Tidying written text into narration (pure, deterministic). Rules kept by tidyNarration:
 * - emojis, pictographs, variation selectors, control, format and private-use characters are removed;
 *   every kind of space becomes a plain space;
 * - typographic quotes become straight ones; quotes wrapping the whole text are removed, and so are all
 *   double quotes when they do not pair up;
 * - markdown is reduced to its text: headings, list bullets, block quotes, code fences, tables, rules,
 *   emphasis, inline code, links and images (their text is kept), HTML tags (<br> breaks the line) and
 *   hashtag marks; tidying repeats until nothing changes, so the result is stable (idempotent);
 * - each line ends a sentence: a line without final punctuation gets a period unless the next line starts
 *   with a lower-case letter (a wrapped sentence); blank lines separate paragraphs;
 * - whitespace is collapsed; no space before , . ; : ! ? …; repeated ! ? , ; marks become one;
 * - sentence case: the first letter of every sentence is upper case (nothing else is lowered, except text
 *   written entirely in capitals, which is lowered first); in English a lone "i" becomes "I";
 * - the text ends with . ! ? or … (a trailing , ; : or dash becomes a period).
 */
import { tokenize, tokenizeWords } from '../speech/text.js';

/** Emojis and the characters that only shape them (modifiers, flags, selectors, keycaps, tags). */
const EMOJI =
  /\p{Extended_Pictographic}|\p{Emoji_Modifier}|\p{Regional_Indicator}|\u{FE0E}|\u{FE0F}|\u{20E3}|[\u{E0020}-\u{E007F}]/gu;
const INVISIBLE = /[\p{Cf}\p{Co}\p{Cs}]/gu;
/** Control characters other than the line feed. */
const CONTROL = /[^\P{Cc}\n]/gu;
const SENTENCE_END = /[.!?…]["')\]}»]*$/u;
/** Tokens ending in a period that do not end a sentence (compared in lower case). */
const NON_FINAL_ABBREVIATIONS = new Set([
  'e.g.',
  'i.e.',
  'vs.',
  'approx.',
  'cf.',
  'dr.',
  'mr.',
  'mrs.',
  'ms.',
  'prof.',
  'st.',
  'mt.',
  'no.',
]);

/** Removes emojis and invisible characters; every space separator and control character becomes a space. */
export function removeUnspeakable(text: string): string {
  return text
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(EMOJI, '')
    .replace(INVISIBLE, '')
    .replace(CONTROL, ' ')
    .replace(/[^\S\n]/gu, ' ');
}

/** Typographic double quotes and guillemets become ", typographic single quotes become '. */
export function normaliseQuotes(text: string): string {
  return text.replace(/[“”„‟«»〝〞＂]/gu, '"').replace(/[‘’‚‛′]/gu, "'");
}

const HTML_ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&nbsp;': ' ',
  '&quot;': '"',
  '&#39;': "'",
  '&apos;': "'",
  '&lt;': '<',
  '&gt;': '>',
};

/** Inline markdown and HTML reduced to their text (one line at a time). */
export function stripInlineMarkdown(line: string): string {
  let text = line
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/`+([^`]+)`+/g, '$1')
    .replace(/&(?:amp|nbsp|quot|#39|apos|lt|gt);/g, (entity) => HTML_ENTITIES[entity] ?? entity)
    .replace(/~~([^~]+)~~/g, '$1');
  // Emphasis markers pair up around text; unpaired ones are stray and go too.
  for (let pass = 0; pass < 2; pass++) {
    text = text
      .replace(/(\*\*|__)(?=\S)([^\n]*?\S)\1/g, '$2')
      .replace(/(^|[^\p{L}\p{N}*])\*(?=\S)([^*\n]*?\S)\*(?![\p{L}\p{N}])/gu, '$1$2')
      .replace(/(^|[^\p{L}\p{N}_])_(?=\S)([^_\n]*?\S)_(?![\p{L}\p{N}])/gu, '$1$2');
  }
  return text
    .replace(/[*`]|~~/g, '')
    .replace(/(?<![\p{L}\p{N}])_+|_+(?![\p{L}\p{N}])/gu, ' ')
    .replace(/(^|\s)#(?=\p{L})/gu, '$1')
    .replace(/\|/g, ' ');
}

const BLOCK_MARKER = /^(?:#{1,6}(?:\s+|$)|>\s?|[-*+•‣◦▪](?:\s+|$))/u;
/** "1." / "2)" only mark list items in text of several lines: a single line "42. That is it." keeps its number. */
const NUMBERED_OR_BLOCK_MARKER = /^(?:#{1,6}(?:\s+|$)|>\s?|(?:[-*+•‣◦▪]|\d{1,3}[.)])(?:\s+|$))/u;

/** A line's markdown block prefix removed; `item` is true for list items, headings and table rows. */
function stripBlockMarkdown(line: string, multiLine: boolean): { text: string; item: boolean } | null {
  if (/^(?:```|~~~)/.test(line)) return null;
  if (/^(?:[-*_]\s*){3,}$/.test(line)) return null;
  if (/^\|?[\s:|-]+\|?$/.test(line) && line.includes('-') && line.includes('|')) return null;
  // Block markers nest ("> - # title"): strip them until none is left.
  let unquoted = line;
  let item = false;
  for (;;) {
    const marker = (multiLine ? NUMBERED_OR_BLOCK_MARKER : BLOCK_MARKER).exec(unquoted);
    if (marker === null) break;
    item ||= !marker[0].startsWith('>');
    unquoted = unquoted.slice(marker[0].length).trimStart();
  }
  if (item) return { text: unquoted.replace(/\s+#+$/, ''), item };
  if (/^\|.*\|$/.test(unquoted)) {
    const cells = unquoted
      .slice(1, -1)
      .split('|')
      .map((cell) => cell.trim())
      .filter((cell) => cell !== '');
    return { text: cells.join(', '), item: true };
  }
  return { text: unquoted, item: false };
}

/** Appends a period unless the text already ends a sentence or a clause. */
function terminate(text: string): string {
  if (SENTENCE_END.test(text) || /[,;:]$/.test(text)) return text;
  return `${text}.`;
}

/** Lines joined into one text: each line ends a sentence unless the next one continues it in lower case. */
function joinLines(text: string): string {
  const lines: { text: string; item: boolean }[] = [];
  let paragraphBreak = false;
  const pieces: string[] = [];
  const rawLines = text.split('\n');
  const multiLine = rawLines.filter((line) => line.trim() !== '').length > 1;
  for (const raw of rawLines) {
    const stripped = stripBlockMarkdown(raw.trim(), multiLine);
    const line = stripped === null ? '' : stripInlineMarkdown(stripped.text).replace(/\s+/g, ' ').trim();
    if (line === '') {
      paragraphBreak = true;
      continue;
    }
    lines.push({ text: line, item: stripped?.item === true || paragraphBreak });
    paragraphBreak = false;
  }
  lines.forEach((line, index) => {
    const next = lines[index + 1];
    const continues = next !== undefined && !next.item && !line.item && /^\p{Ll}/u.test(next.text);
    pieces.push(continues ? line.text : terminate(line.text));
  });
  return pieces.join(' ');
}

/** Collapses whitespace and repeated marks; no space before closing punctuation. */
export function tidyPunctuation(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/\s+([,.;:!?…%)\]}])/g, '$1')
    .replace(/([([{])\s+/g, '$1')
    .replace(/([!?])[!?]+/g, '$1')
    .replace(/,{2,}/g, ',')
    .replace(/;{2,}/g, ';')
    .replace(/\.{4,}/g, '...')
    .replace(/[,;:]+([.!?…])/g, '$1')
    .trim();
}

/** Removes quotes around the whole text, then every double quote if they do not pair up. */
function tidyQuotes(text: string): string {
  let result = text.replace(/""|''/g, '');
  const wrapped = /^(["'])(.*)\1([.!?…]?)$/su.exec(result);
  if (wrapped !== null) {
    const quote = wrapped[1] ?? '';
    const inner = (wrapped[2] ?? '').trim();
    if (!inner.includes(quote)) result = inner + (SENTENCE_END.test(inner) ? '' : (wrapped[3] ?? ''));
  }
  if ((result.match(/"/g) ?? []).length % 2 === 1) result = result.replace(/"/g, '');
  return result.trim();
}

/** True when the token ends a sentence (and is not a known abbreviation). */
export function endsSentence(token: string): boolean {
  return SENTENCE_END.test(token) && !NON_FINAL_ABBREVIATIONS.has(token.toLowerCase());
}

/** Upper-cases the first letter of every sentence (and a lone English "i"); lowers all-capitals text first. */
export function sentenceCase(text: string, english: boolean): string {
  const upper = (text.match(/\p{Lu}/gu) ?? []).length;
  const lower = (text.match(/\p{Ll}/gu) ?? []).length;
  const shouted = upper >= 12 && lower <= upper * 0.1;
  const source = shouted ? text.toLowerCase() : text;
  // A sentence starts at the first token with a letter or digit, after the start or a sentence end.
  let atStart = true;
  return source
    .split(' ')
    .map((token) => {
      let result = token;
      if (english && /^i(?:'(?:m|ve|ll|d))?[^\p{L}]*$/u.test(result)) result = `I${result.slice(1)}`;
      const spoken = /[\p{L}\p{N}]/u.test(result);
      if (atStart && spoken && !/:\/\/|^www\./i.test(result)) {
        result = result.replace(/^([^\p{L}\p{N}]*)(\p{Ll})/u, (_match, lead: string, letter: string) => {
          return lead + letter.toUpperCase();
        });
      }
      if (spoken) atStart = false;
      // An ellipsis trails off rather than ending a sentence, so the next word keeps its case.
      if (endsSentence(result) && !/(?:\.\.\.|…)["')\]}»]*$/u.test(result)) atStart = true;
      return result;
    })
    .join(' ');
}

/** Ends the text with . ! ? or … (a trailing , ; : or dash is replaced by a period). */
export function ensureFinalPunctuation(text: string): string {
  const trimmed = text.replace(/[\s,;:\-–—]+$/u, '');
  if (trimmed === '') return '';
  return SENTENCE_END.test(trimmed) ? trimmed : `${trimmed}.`;
}

export interface TidyOptions {
  /** English-only fixes (a lone "i" -> "I"). Default true. */
  english?: boolean;
}

/** Written text as narration (see the rules at the top); '' when no word is left. */
export function tidyNarration(text: string, options: TidyOptions = {}): string {
  // Removing one layer of markup can reveal another ("<br> - item"): tidy until nothing changes.
  let result = text;
  for (let pass = 0; pass < MAX_TIDY_PASSES; pass++) {
    const next = tidyOnce(result, options.english ?? true);
    if (next === result) break;
    result = next;
  }
  return tokenizeWords(result).length === 0 ? '' : result;
}

/** Most tidying passes; each pass removes at least one layer of markup. */
const MAX_TIDY_PASSES = 4;

function tidyOnce(text: string, english: boolean): string {
  const cleaned = normaliseQuotes(removeUnspeakable(text.normalize('NFC')))
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/?[a-zA-Z][^<>]*>/g, ' ');
  const joined = tidyQuotes(tidyPunctuation(joinLines(cleaned)));
  return ensureFinalPunctuation(sentenceCase(tidyPunctuation(joined), english));
}

/** One line of plain text (titles, stage descriptions): the same cleaning without sentence rules. */
export function tidyLine(text: string): string {
  const cleaned = normaliseQuotes(removeUnspeakable(text.normalize('NFC')))
    .replace(/<\/?[a-zA-Z][^<>]*>/g, ' ')
    .replace(/\n+/g, ' ');
  const stripped = stripInlineMarkdown(cleaned.replace(/^\s*#{1,6}\s+/, ''));
  return tidyQuotes(tidyPunctuation(stripped));
}

/** Words that make a poor last word of a title. */
const TITLE_TRAILING_STOPWORDS = new Set([
  'a',
  'an',
  'the',
  'and',
  'or',
  'but',
  'to',
  'of',
  'in',
  'on',
  'at',
  'for',
  'with',
  'from',
  'by',
  'my',
  'your',
  'our',
  'is',
  'are',
  'was',
  'i',
  "i'm",
  'we',
  'you',
  'this',
  'that',
]);
/** Most words in a derived title. */
export const TITLE_MAX_WORDS = 6;
/** Longest title kept (characters). */
export const TITLE_MAX_CHARS = 80;

/**
 * A title from the first words of the narration's first sentence (at most TITLE_MAX_WORDS), without
 * trailing function words, first letter upper case; "Untitled" when there are no words.
 */
export function deriveTitle(narration: string): string {
  const firstSentence: string[] = [];
  for (const token of tokenize(narration)) {
    firstSentence.push(token.raw);
    if (endsSentence(token.raw)) break;
  }
  const words = tokenizeWords(firstSentence.join(' ')).slice(0, TITLE_MAX_WORDS);
  while (words.length > 1 && TITLE_TRAILING_STOPWORDS.has((words.at(-1) ?? '').toLowerCase())) words.pop();
  const title = words.join(' ');
  if (title === '') return 'Untitled';
  return clampTitle(title.replace(/^\p{Ll}/u, (letter) => letter.toUpperCase()));
}

/** A title cut to TITLE_MAX_CHARS at a word boundary, without a final period. */
export function clampTitle(title: string): string {
  let result = title.replace(/[.,;:]+$/, '').trim();
  if (result.length > TITLE_MAX_CHARS) {
    const cut = result.slice(0, TITLE_MAX_CHARS + 1);
    const space = cut.lastIndexOf(' ');
    result = (space > 0 ? cut.slice(0, space) : cut.slice(0, TITLE_MAX_CHARS)).replace(/[.,;:]+$/, '');
  }
  return result;
}

/** The stage description used when nothing more specific is known. */
export function neutralStage(style: string | null): string {
  return style === null
    ? 'A head-and-shoulders portrait speaking directly to the camera with a calm, friendly expression.'
    : `A head-and-shoulders portrait speaking directly to the camera in a ${style} tone.`;
}
