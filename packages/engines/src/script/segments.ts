/**
 * Caption segments of a narration (pure). Rules kept:
 * - the narration is cut only at spaces: the segments' texts joined with one space are the narration, so
 *   their words are exactly the narration's words, in order;
 * - a segment never spans two sentences;
 * - a sentence longer than maxChars is split at clause marks (, ; : and dashes) into pieces, a clause
 *   longer than maxChars is split between words; the pieces are then packed into as few segments as fit,
 *   with the longest segment as short as possible (balanced, no orphan word at the end);
 * - a segment is at most maxChars long unless it is a single word that is longer by itself;
 * - punctuation-only tokens ride with the word before them (or after, at the start), so every segment holds
 *   at least one word.
 */

import { endsSentence } from '../llm/tidy.js';
import { tokenize } from '../speech/text.js';

export interface CaptionSegment {
  index: number;
  text: string;
  /** Number of words (tokenizeWords) in the text. */
  words: number;
}

/** A word token with the punctuation-only tokens around it. */
type Unit = string[];

const CLAUSE_END = /[,;:—–-]["')\]}»]*$/u;

function textOf(units: readonly Unit[]): string {
  return units.map((unit) => unit.join(' ')).join(' ');
}

/** Tokens grouped into units (one word each, stray punctuation attached). */
function unitsOf(text: string): Unit[] {
  const units: Unit[] = [];
  let pending: string[] = [];
  for (const token of tokenize(text)) {
    const last = units.at(-1);
    if (token.word === '' && last !== undefined) last.push(token.raw);
    else if (token.word === '') pending.push(token.raw);
    else {
      units.push([...pending, token.raw]);
      pending = [];
    }
  }
  const last = units.at(-1);
  if (last !== undefined) last.push(...pending);
  else if (pending.length > 0) units.push(pending);
  return units;
}

/** Splits units after every unit whose last token matches the rule. */
function splitAfter(units: readonly Unit[], ends: (token: string) => boolean): Unit[][] {
  const groups: Unit[][] = [];
  let current: Unit[] = [];
  for (const unit of units) {
    current.push(unit);
    if (ends(unit.at(-1) ?? '')) {
      groups.push(current);
      current = [];
    }
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** Packs atoms left to right into groups no longer than width (an atom longer than width stands alone). */
function greedy<T>(atoms: readonly T[], length: (atom: T) => number, width: number): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let currentLength = 0;
  for (const atom of atoms) {
    const size = length(atom);
    if (current.length > 0 && currentLength + 1 + size > width) {
      groups.push(current);
      current = [];
      currentLength = 0;
    }
    currentLength = current.length === 0 ? size : currentLength + 1 + size;
    current.push(atom);
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** As few groups as greedy packing at maxChars needs, with the smallest width that still needs no more. */
function balanced<T>(atoms: readonly T[], length: (atom: T) => number, maxChars: number): T[][] {
  const fewest = greedy(atoms, length, maxChars);
  if (fewest.length <= 1) return fewest;
  let low = 1;
  let high = maxChars;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (greedy(atoms, length, middle).length <= fewest.length) high = middle;
    else low = middle + 1;
  }
  return greedy(atoms, length, high);
}

/** The caption segments of the narration (see the rules at the top). */
export function splitSegments(narration: string, maxChars: number): CaptionSegment[] {
  const unitLength = (unit: Unit): number => unit.join(' ').length;
  const pieceLength = (piece: Unit[]): number => textOf(piece).length;
  const segments: string[] = [];
  for (const sentence of splitAfter(unitsOf(narration), endsSentence)) {
    const pieces: Unit[][] = [];
    for (const clause of splitAfter(sentence, (token) => CLAUSE_END.test(token))) {
      if (pieceLength(clause) <= maxChars) pieces.push(clause);
      else pieces.push(...balanced(clause, unitLength, maxChars));
    }
    for (const group of balanced(pieces, pieceLength, maxChars)) segments.push(textOf(group.flat()));
  }
  return segments.map((text, index) => ({
    index,
    text,
    words: tokenize(text).filter((t) => t.word !== '').length,
  }));
}
