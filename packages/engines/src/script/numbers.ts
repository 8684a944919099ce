/**
 * English number words (pure). Rules kept:
 * - cardinals 0..9999 in British-style spoken form: 21 -> "twenty-one", 105 -> "one hundred and five",
 *   2024 -> "two thousand and twenty-four", 1500 -> "one thousand five hundred";
 * - years 1000..2099 read in pairs: 1984 -> "nineteen eighty-four", 1905 -> "nineteen oh five",
 *   1900 -> "nineteen hundred", 2000..2009 -> "two thousand (and) N", 2024 -> "twenty twenty-four";
 * - ordinals change the last word: 1 -> "first", 12 -> "twelfth", 20 -> "twentieth", 21 -> "twenty-first";
 * - decades pluralise the last word: 1980 -> "nineteen eighties", 90 -> "nineties".
 * Callers only pass whole numbers inside these ranges (RangeError otherwise).
 */

const ONES = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

/** Largest number spelled out. */
export const MAX_SPELLED_NUMBER = 9999;

function checkRange(n: number, min: number, max: number): void {
  if (!Number.isInteger(n) || n < min || n > max) throw new RangeError(`${n} is outside ${min}..${max}`);
}

/** 0..9999 as words. */
export function cardinalWords(n: number): string {
  checkRange(n, 0, MAX_SPELLED_NUMBER);
  if (n < 20) return ONES[n] ?? '';
  if (n < 100) {
    const rest = n % 10;
    return `${TENS[Math.floor(n / 10)] ?? ''}${rest === 0 ? '' : `-${ONES[rest] ?? ''}`}`;
  }
  if (n < 1000) {
    const rest = n % 100;
    return `${ONES[Math.floor(n / 100)] ?? ''} hundred${rest === 0 ? '' : ` and ${cardinalWords(rest)}`}`;
  }
  const rest = n % 1000;
  const thousands = `${ONES[Math.floor(n / 1000)] ?? ''} thousand`;
  if (rest === 0) return thousands;
  return `${thousands}${rest < 100 ? ' and ' : ' '}${cardinalWords(rest)}`;
}

/** 1000..2099 read as a year. */
export function yearWords(n: number): string {
  checkRange(n, 1000, 2099);
  if (n >= 2000 && n <= 2009) return cardinalWords(n);
  const high = Math.floor(n / 100);
  const low = n % 100;
  if (low === 0) return `${cardinalWords(high)} hundred`;
  return `${cardinalWords(high)} ${low < 10 ? `oh ${ONES[low] ?? ''}` : cardinalWords(low)}`;
}

const IRREGULAR_ORDINALS: Record<string, string> = {
  one: 'first',
  two: 'second',
  three: 'third',
  five: 'fifth',
  eight: 'eighth',
  nine: 'ninth',
  twelve: 'twelfth',
};

/** The ordinal form of a number word ("twenty" -> "twentieth"). */
function ordinalOfWord(word: string): string {
  const irregular = IRREGULAR_ORDINALS[word];
  if (irregular !== undefined) return irregular;
  if (word.endsWith('y')) return `${word.slice(0, -1)}ieth`;
  return `${word}th`;
}

/** Replaces the last number word of a phrase (after a space or hyphen). */
function mapLastWord(words: string, map: (word: string) => string): string {
  const match = /^(.*?[ -])?([a-z]+)$/.exec(words);
  if (match === null) return words;
  return `${match[1] ?? ''}${map(match[2] ?? '')}`;
}

/** 0..9999 as an ordinal ("twenty-first"). */
export function ordinalWords(n: number): string {
  return mapLastWord(cardinalWords(n), ordinalOfWord);
}

/** A decade: 10..90 as "tens".."nineties", or 1000..2090 (multiple of ten) as "nineteen eighties". */
export function decadeWords(n: number): string {
  const words = n < 100 ? cardinalWords(n) : n >= 2000 && n < 2010 ? 'two thousands' : yearWords(n);
  if (words.endsWith('thousands')) return words;
  return mapLastWord(words, (word) => (word.endsWith('y') ? `${word.slice(0, -1)}ies` : `${word}s`));
}

/** Digits read one by one ("007" -> "zero zero seven"). */
export function digitWords(digits: string): string {
  return [...digits].map((digit) => ONES[Number(digit)] ?? digit).join(' ');
}
