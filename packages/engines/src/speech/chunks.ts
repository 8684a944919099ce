/**
 * Splits narration into synthesis chunks (one eSpeak call each), so long text reports progress and can be
 * cancelled between chunks. A chunk ends after a token that ends a sentence (".", "!", "?", "…", possibly
 * followed by closing quotes or brackets) when the next token does not start in lower case (so "e.g. this"
 * stays together), or when it reaches MAX_CHUNK_WORDS words (then at the last clause mark ",;:" of the
 * chunk if there is one).
 */
import { type TextToken, tokenize } from './text.js';

export const MAX_CHUNK_WORDS = 60;

const SENTENCE_END = /[.!?…][\p{Pe}\p{Pf}"'’”»]*$/u;
const CLAUSE_END = /[,;:][\p{Pe}\p{Pf}"'’”»]*$/u;
const STARTS_LOWER = /^[\p{Ps}\p{Pi}"'«]*\p{Ll}/u;

export interface Chunk {
  tokens: TextToken[];
}

function wordCount(tokens: readonly TextToken[]): number {
  return tokens.reduce((count, token) => count + (token.word === '' ? 0 : 1), 0);
}

export function splitIntoChunks(text: string): Chunk[] {
  const tokens = tokenize(text);
  const chunks: Chunk[] = [];
  let current: TextToken[] = [];
  const flush = (upTo: number): void => {
    chunks.push({ tokens: current.slice(0, upTo) });
    current = current.slice(upTo);
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token === undefined) continue;
    current.push(token);
    const next = tokens[i + 1];
    if (SENTENCE_END.test(token.raw) && (next === undefined || !STARTS_LOWER.test(next.raw))) {
      flush(current.length);
      continue;
    }
    if (wordCount(current) >= MAX_CHUNK_WORDS) {
      let cut = current.length;
      for (let k = current.length; k > 0; k--) {
        if (CLAUSE_END.test(current[k - 1]?.raw ?? '')) {
          cut = k;
          break;
        }
      }
      flush(cut);
    }
  }
  if (current.length > 0) flush(current.length);
  return chunks.filter((chunk) => chunk.tokens.length > 0);
}
