/**
 * Narration cleaned for a speech engine (pure, deterministic, idempotent). Rules kept, in order:
 * 1. URLs (http://, https://, www.) are removed, their trailing sentence punctuation kept;
 * 2. the text is tidied like a direct script (llm/tidy.ts): no emojis, control characters or markdown,
 *    straight quotes, collapsed whitespace, sentence case, final punctuation;
 * 3. common abbreviations are spelled out: Dr. Mr. Mrs. Ms. Prof. Mt. St. (Saint before a capital, else
 *    Street), e.g. i.e. etc. (ending the sentence before a capital or at the end) vs. approx. a.k.a. cf.,
 *    "No." and "#" before a number;
 * 4. symbols become words: & -> and, % -> percent, ° -> degrees (Celsius/Fahrenheit), + and = between
 *    spaces or numbers, @ between words -> at, $ € £ amounts -> dollars/euros/pounds (and cents/pence),
 *    units after a number (km, kg, cm, mm, km/h, mph);
 * 5. numbers (English only): times 9:05 -> "nine oh five", ordinals 21st, decades 1980s / '90s, decimals
 *    3.14 -> "three point one four", ranges 5-10 -> "five to ten", a leading minus, thousands separators,
 *    whole numbers 0..9999 as words (1000..2099 as a year after "in", "since", "from", a month name, ...,
 *    after "from <year> to", or before AD/BC); numbers with a leading zero are read digit by digit; larger numbers stay digits;
 * 6. punctuation and whitespace are tidied again and every sentence starts with a capital;
 * the steps repeat until the text no longer changes, so cleaning a cleaned narration changes nothing.
 */

import { ensureFinalPunctuation, sentenceCase, tidyNarration, tidyPunctuation } from '../llm/tidy.js';
import { tokenizeWords } from '../speech/text.js';
import {
  cardinalWords,
  decadeWords,
  digitWords,
  MAX_SPELLED_NUMBER,
  ordinalWords,
  yearWords,
} from './numbers.js';

const URL = /(?:\bhttps?:\/\/|\bwww\.)[^\s]*[^\s.,;:!?)\]}'"]/gi;

/** Keeps the case of the first letter of the original in the replacement. */
function keepCase(original: string, replacement: string): string {
  return /^\p{Lu}/u.test(original) ? replacement.charAt(0).toUpperCase() + replacement.slice(1) : replacement;
}

function expandAbbreviations(text: string): string {
  return (
    text
      .replace(/\bDr\.?(?=\s+\p{Lu})|\bDr\.(?=\s)/gu, 'Doctor')
      .replace(/\bMrs\.?(?=\s+\p{Lu})|\bMrs\.(?=\s)/gu, 'Missus')
      .replace(/\bMr\.?(?=\s+\p{Lu})|\bMr\.(?=\s)/gu, 'Mister')
      .replace(/\bMs\.?(?=\s+\p{Lu})|\bMs\.(?=\s)/gu, 'Miz')
      .replace(/\bProf\.?(?=\s+\p{Lu})|\bProf\.(?=\s)/gu, 'Professor')
      .replace(/\bMt\.(?=\s+\p{Lu})/gu, 'Mount')
      .replace(/\bSt\.(?=\s+\p{Lu})/gu, 'Saint')
      .replace(/\bSt\.(?=\s*$)/gu, 'Street.')
      .replace(/\bSt\./gu, 'Street')
      .replace(
        /\b([eE])\.g\.(,?)/g,
        (whole, _e: string, comma: string) => `${keepCase(whole, 'for example')}${comma}`,
      )
      .replace(
        /\b([iI])\.e\.(,?)/g,
        (whole, _i: string, comma: string) => `${keepCase(whole, 'that is')}${comma}`,
      )
      // "etc." that ends the text or precedes a capital also ends the sentence.
      .replace(/\betc\.(?=\s+\p{Lu}|\s*$)/gu, 'et cetera.')
      .replace(/\betc\.?/g, 'et cetera')
      .replace(/\b([vV])s\.?(?=\s)/g, (whole) => keepCase(whole, 'versus'))
      .replace(/\b([aA])pprox\.(?=\s)/g, (whole) => keepCase(whole, 'approximately'))
      .replace(/\b([aA])\.k\.a\.?/g, (whole) => keepCase(whole, 'also known as'))
      .replace(/\b([cC])f\.(?=\s)/g, (whole) => keepCase(whole, 'compare'))
      .replace(/\bNo\.\s*(?=\d)/g, 'number ')
      .replace(/\bno\.\s*(?=\d)/g, 'number ')
      .replace(/#(?=\d)/g, 'number ')
  );
}

const CURRENCIES: Record<string, [string, string, string, string]> = {
  $: ['dollar', 'dollars', 'cent', 'cents'],
  '€': ['euro', 'euros', 'cent', 'cents'],
  '£': ['pound', 'pounds', 'penny', 'pence'],
};
const UNITS: Record<string, [string, string]> = {
  'km/h': ['kilometre per hour', 'kilometres per hour'],
  km: ['kilometre', 'kilometres'],
  kg: ['kilogram', 'kilograms'],
  cm: ['centimetre', 'centimetres'],
  mm: ['millimetre', 'millimetres'],
  mph: ['mile per hour', 'miles per hour'],
};

function expandSymbols(text: string): string {
  return text
    .replace(
      /([$€£])\s?(\d+(?:,\d{3})*)(?:\.(\d{2}))?\b/gu,
      (_whole, symbol: string, units: string, cents?: string) => {
        const names = CURRENCIES[symbol] ?? ['', '', '', ''];
        const amount = Number(units.replace(/,/g, ''));
        let spoken = `${units} ${amount === 1 ? names[0] : names[1]}`;
        if (cents !== undefined && Number(cents) > 0) {
          spoken += ` and ${Number(cents)} ${Number(cents) === 1 ? names[2] : names[3]}`;
        }
        return spoken;
      },
    )
    .replace(/(\d(?:[\d.,]*\d)?)\s?(km\/h|km|kg|cm|mm|mph)\b/g, (_whole, amount: string, unit: string) => {
      const names = UNITS[unit] ?? [unit, unit];
      return `${amount} ${amount === '1' ? names[0] : names[1]}`;
    })
    .replace(/\s?°\s?C\b/g, ' degrees Celsius')
    .replace(/\s?°\s?F\b/g, ' degrees Fahrenheit')
    .replace(/\s?°/g, ' degrees')
    .replace(/\s?%/g, ' percent')
    .replace(/\s*&\s*/g, ' and ')
    .replace(/(?<=[\p{L}\p{N}])@(?=[\p{L}\p{N}])/gu, ' at ')
    .replace(/(?<=\d|\s)\+(?=\s|\d)/g, ' plus ')
    .replace(/(?<=\d|\s)=(?=\s|\d)/g, ' equals ');
}

const MONTHS =
  'january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec';
/** Words after which a number 1000..2099 is a year. */
const YEAR_BEFORE = new RegExp(
  `\\b(?:in|since|by|from|until|till|of|year|before|after|around|circa|during|early|late|mid|summer|winter|spring|autumn|fall|back|between|${MONTHS})\\s+$|\\b(?:${MONTHS})\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+$|\\b(?:in|from|between|since)\\s+\\d{4}\\s*(?:to|and|until|till|through|-|–)\\s*$`,
  'i',
);
const YEAR_AFTER = /^\s*(?:AD|BC|BCE|CE|A\.D\.|B\.C\.)(?![\p{L}])/u;

/** A whole number as spoken: digit by digit with a leading zero, a year in context, else a cardinal. */
function wholeNumber(digits: string, before: string, after: string): string {
  if (digits.length > 1 && digits.startsWith('0')) return digitWords(digits);
  const n = Number(digits);
  if (n > MAX_SPELLED_NUMBER) return digits;
  if (n >= 1000 && n <= 2099 && (YEAR_BEFORE.test(before) || YEAR_AFTER.test(after))) return yearWords(n);
  return cardinalWords(n);
}

function expandNumbers(text: string): string {
  return (
    text
      .replace(/\b([01]?\d|2[0-3]):([0-5]\d)\b/g, (_whole, hours: string, minutes: string) => {
        const hour = cardinalWords(Number(hours));
        const minute = Number(minutes);
        if (minute === 0) return `${hour} o'clock`;
        return `${hour} ${minute < 10 ? `oh ${cardinalWords(minute)}` : cardinalWords(minute)}`;
      })
      .replace(/\b(\d{1,4})(?:st|nd|rd|th)\b/gi, (whole, digits: string) =>
        digits.length > 1 && digits.startsWith('0') ? whole : ordinalWords(Number(digits)),
      )
      .replace(/\b(1\d|20)(\d)0s\b/g, (_whole, century: string, decade: string) =>
        decadeWords(Number(`${century}${decade}0`)),
      )
      .replace(
        /(^|[\s(])'?([1-9]0)s\b/g,
        (_whole, lead: string, decade: string) => `${lead}${decadeWords(Number(decade))}`,
      )
      .replace(/\b(\d{1,4})\.(\d+)\b/g, (whole, units: string, fraction: string) =>
        units.length > 1 && units.startsWith('0')
          ? whole
          : `${cardinalWords(Number(units))} point ${digitWords(fraction)}`,
      )
      .replace(/\b(\d{1,3}(?:,\d{3})+)\b(?![.,]\d)/g, (whole, digits: string) => {
        const n = Number(digits.replace(/,/g, ''));
        return n <= MAX_SPELLED_NUMBER ? cardinalWords(n) : whole;
      })
      .replace(/\b(\d{1,4})\s?[-–]\s?(\d{1,4})\b(?![-–]\d)/g, '$1 to $2')
      .replace(/(^|\s)[-−](?=\d)/g, '$1minus ')
      // Digits inside a longer separated number ("25,000", "1.2.3") stay as they are.
      .replace(/(?<!\d|\d[.,])\d+(?!\d|[.,]\d)/g, (digits: string, offset: number, whole: string) =>
        wholeNumber(
          digits,
          whole.slice(Math.max(0, offset - 40), offset),
          whole.slice(offset + digits.length),
        ),
      )
  );
}

export interface SpeakableOptions {
  /** English expansions (abbreviations, symbols and numbers as English words). Default true. */
  english?: boolean;
}

/** The narration cleaned for speech (see the rules at the top); '' when no word is left. */
export function speakableNarration(narration: string, options: SpeakableOptions = {}): string {
  const english = options.english ?? true;
  // An expansion can expose something an earlier rule handles ("&#A" -> "and #A"): repeat until stable.
  let result = narration;
  for (let pass = 0; pass < MAX_SPEAKABLE_PASSES; pass++) {
    const next = speakableOnce(result, english);
    if (next === result) break;
    result = next;
  }
  return tokenizeWords(result).length === 0 ? '' : result;
}

/** Most cleaning passes. */
const MAX_SPEAKABLE_PASSES = 4;

function speakableOnce(narration: string, english: boolean): string {
  const tidied = tidyNarration(narration.replace(URL, ''), { english });
  if (tidied === '') return '';
  const expanded = english ? expandNumbers(expandSymbols(expandAbbreviations(tidied))) : tidied;
  return ensureFinalPunctuation(sentenceCase(tidyPunctuation(expanded), english));
}
