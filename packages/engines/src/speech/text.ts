/**
 * Narration text helpers shared by every speech engine: word tokens, syllable estimates and SSML escaping.
 *
 * Tokens are the whitespace-separated pieces of the text. A token's word is the token with its leading and
 * trailing punctuation removed (sentence and clause marks, quotes, brackets, dashes, slashes, asterisks,
 * underscores); symbols that are spoken (%, &, $, #, @, +, =) stay. A token that is nothing but punctuation
 * is not a word. Every engine returns exactly one WordTiming per word, in text order.
 */

/** Characters stripped from the ends of a token. */
const EDGE_PUNCTUATION =
  /^[\p{Ps}\p{Pe}\p{Pi}\p{Pf}\p{Pd}.,;:!?…¡¿"'`*_/\\|~·]+|[\p{Ps}\p{Pe}\p{Pi}\p{Pf}\p{Pd}.,;:!?…¡¿"'`*_/\\|~·]+$/gu;

/** A token of the text and the word it carries (empty for punctuation-only tokens). */
export interface TextToken {
  /** The token as written. */
  raw: string;
  /** The token without its edge punctuation; '' when the token is only punctuation. */
  word: string;
  /** Offset of the token in the text (UTF-16 code units). */
  offset: number;
}

/** Splits text at whitespace into tokens, keeping punctuation-only tokens (word === ''). */
export function tokenize(text: string): TextToken[] {
  const tokens: TextToken[] = [];
  for (const match of text.matchAll(/\S+/gu)) {
    tokens.push({ raw: match[0], word: match[0].replace(EDGE_PUNCTUATION, ''), offset: match.index });
  }
  return tokens;
}

/** The words of the text, in order (what WordTiming.text holds). */
export function tokenizeWords(text: string): string[] {
  return tokenize(text)
    .map((token) => token.word)
    .filter((word) => word !== '');
}

/**
 * Estimated syllables in a written word (at least 1): vowel groups for Latin script (a final silent "e"
 * not counted), about 1.3 per digit for numbers (they are read out as number words), and one per two
 * characters for other scripts.
 */
export function estimateSyllables(word: string): number {
  const plain = word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  const digits = plain.replace(/[^0-9]/g, '').length;
  const latin = plain.replace(/[^a-z]/g, '');
  let syllables = 0;
  if (latin.length > 0) {
    syllables = (latin.match(/[aeiouy]+/g) ?? []).length;
    // A final plain "e" is usually silent ("make"); an accented one is not ("café").
    const letters = word.toLowerCase().replace(/[^\p{L}]/gu, '');
    if (syllables > 1 && letters.endsWith('e') && !letters.endsWith('le') && !letters.endsWith('ee'))
      syllables--;
    if (syllables === 0) syllables = Math.ceil(latin.length / 3);
  }
  syllables += Math.ceil(digits * 1.3);
  if (latin.length === 0 && digits === 0) {
    const letters = plain.replace(/[^\p{L}\p{N}]/gu, '').length;
    syllables = Math.ceil(letters / 2);
  }
  return Math.max(1, syllables);
}

/** Escapes text for an SSML/XML text node (& < > become entities; quotes need none outside attributes). */
export function escapeSsml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/**
 * Relative spoken length of a word, for spreading time over words when only a stretch of audio is known:
 * 3/4 from its estimated syllables, 1/4 from its length in characters (3 characters counting as one).
 */
export function wordWeight(word: string): number {
  const characters = word.replace(/[^\p{L}\p{N}]/gu, '').length;
  return 0.75 * estimateSyllables(word) + 0.25 * Math.max(1, characters / 3);
}

/** Estimated phonemes in a written word (at least 1): one per letter, four per digit (read as a number word). */
export function estimatePhonemes(word: string): number {
  const letters = word.replace(/[^\p{L}]/gu, '').length;
  const digits = word.replace(/[^0-9]/g, '').length;
  return Math.max(1, letters + 4 * digits);
}
