/**
 * Word and phoneme timings from the events of one eSpeak synthesis call.
 *
 * The SSML puts <mark name="w<i>"/> before every word. Events arrive in speaking order, so:
 * - every phoneme belongs to the word whose mark came last before it in the event stream (event order, not
 *   time: a phoneme reported at the same instant as the next mark but before it still belongs to the
 *   earlier word);
 * - eSpeak speaks some word pairs as one unit ("I am", "this one") and then reports the second mark only
 *   after the unit, and it drops some marks: a word left without phonemes joins the previous word's group
 *   (a group with no phonemes before it joins the next). A group's words are spread over its runs of
 *   phonemes (pauses separate runs) by weight (assignRegions), and the phonemes of a run are split among
 *   its words in proportion to their estimated phoneme counts (at least one phoneme each);
 * - a word runs from its first phoneme's start to its last phoneme's end, so pauses around it belong to no
 *   word (a word alone in its group keeps all its phonemes, pauses inside it included);
 * - phonemes are the non-empty phoneme events; each ends at the next later phoneme, pause or end event,
 *   and phonemes reported at the same instant split the time up to that event equally.
 */
import type { PhonemeTiming, WordTiming } from '../types.js';
import { assignRegions, distributeWords, type Span } from './distribute.js';
import type { EspeakEvent } from './espeak-wasm.js';
import { estimatePhonemes } from './text.js';

/** A word of one chunk: its global index (the mark name is "w<index>") and relative length estimate. */
export interface ChunkWord {
  index: number;
  text: string;
  weight: number;
}

/**
 * Splits a run of phonemes among the words spoken in it: phoneme counts in proportion to the words'
 * estimated phonemes (at least one each); with fewer phonemes than words, time in proportion to weight.
 */
function splitRun(run: readonly PhonemeTiming[], members: readonly ChunkWord[], region: Span): Span[] {
  if (members.length === 1) return [region];
  if (run.length < members.length)
    return distributeWords(
      members.map((member) => member.weight),
      [region],
    );
  const sizes = members.map((member) => estimatePhonemes(member.text));
  const total = sizes.reduce((sum, size) => sum + size, 0);
  const spans: Span[] = [];
  let from = 0;
  let cumulative = 0;
  for (let k = 0; k < members.length; k++) {
    cumulative += sizes[k] ?? 0;
    const remaining = members.length - k - 1;
    const ideal = Math.round((run.length * cumulative) / total);
    const to =
      k === members.length - 1 ? run.length : Math.min(run.length - remaining, Math.max(from + 1, ideal));
    spans.push({ startMs: run[from]?.startMs ?? region.startMs, endMs: run[to - 1]?.endMs ?? region.endMs });
    from = to;
  }
  return spans;
}

/** Timings for the words and phonemes of one chunk, in ms from the chunk's start. */
export function timingsFromEvents(
  words: readonly ChunkWord[],
  events: readonly EspeakEvent[],
  durationMs: number,
): { words: WordTiming[]; phonemes: PhonemeTiming[] } {
  const positionOf = new Map<string, number>();
  for (const [position, word] of words.entries()) positionOf.set(`w${word.index}`, position);
  const boundaries = events.filter((event) => event.type === 'phoneme' || event.type === 'end');
  const owned: PhonemeTiming[][] = words.map(() => []);
  const phonemes: PhonemeTiming[] = [];
  let current = 0;
  let boundary = 0;
  for (const event of events) {
    if (event.type === 'mark' && typeof event.id === 'string') {
      const position = positionOf.get(event.id);
      if (position !== undefined && position > current) current = position;
      continue;
    }
    if (event.type !== 'phoneme' && event.type !== 'end') continue;
    // Keep `boundary` at this event's place in the phoneme/end sequence.
    while (boundaries[boundary] !== event) boundary++;
    boundary++;
    if (event.type !== 'phoneme' || typeof event.id !== 'string' || event.id === '') continue;
    const startMs = Math.min(event.audioPositionMs, durationMs);
    let endMs = durationMs;
    for (let j = boundary; j < boundaries.length; j++) {
      const next = boundaries[j];
      if (next !== undefined && next.audioPositionMs > startMs) {
        endMs = Math.min(next.audioPositionMs, durationMs);
        break;
      }
    }
    if (endMs <= startMs) continue;
    const phoneme = { phoneme: event.id, startMs, endMs };
    phonemes.push(phoneme);
    owned[current]?.push(phoneme);
  }

  // eSpeak sometimes reports consecutive phonemes at the same instant: they share that stretch equally.
  for (let i = 0; i < phonemes.length; ) {
    const head = phonemes[i];
    let after = i + 1;
    while (after < phonemes.length && phonemes[after]?.startMs === head?.startMs) after++;
    if (head !== undefined && after - i > 1) {
      const { startMs, endMs } = head;
      const step = (endMs - startMs) / (after - i);
      for (let k = i; k < after; k++) {
        const phoneme = phonemes[k];
        if (phoneme === undefined) continue;
        phoneme.startMs = startMs + step * (k - i);
        phoneme.endMs = k === after - 1 ? endMs : startMs + step * (k - i + 1);
      }
    }
    i = after;
  }

  // Groups: a word with phonemes and the phoneme-less words after it.
  const groups: Array<{ first: number; after: number }> = [];
  for (let i = 0; i < words.length; i++) {
    const last = groups[groups.length - 1];
    if ((owned[i]?.length ?? 0) > 0 || last === undefined) groups.push({ first: i, after: i + 1 });
    else last.after = i + 1;
  }
  // Leading phoneme-less words join the first group that has phonemes.
  const head = groups[0];
  const second = groups[1];
  if (head !== undefined && second !== undefined && (owned[head.first]?.length ?? 0) === 0) {
    second.first = head.first;
    groups.shift();
  }

  const spans: Span[] = words.map(() => ({ startMs: 0, endMs: 0 }));
  for (const group of groups) {
    const phones: PhonemeTiming[] = [];
    for (let i = group.first; i < group.after; i++) phones.push(...(owned[i] ?? []));
    const members = words.slice(group.first, group.after);
    const weights = members.map((member) => member.weight);
    if (phones.length === 0) {
      // No phonemes anywhere in the chunk: the words share the whole chunk.
      distributeWords(weights, [{ startMs: 0, endMs: durationMs }]).forEach((span, k) => {
        spans[group.first + k] = span;
      });
      continue;
    }
    if (members.length === 1) {
      spans[group.first] = { startMs: phones[0]?.startMs ?? 0, endMs: phones[phones.length - 1]?.endMs ?? 0 };
      continue;
    }
    // Runs of touching phonemes; a gap between phonemes is a pause.
    const runs: PhonemeTiming[][] = [];
    for (const phone of phones) {
      const run = runs[runs.length - 1];
      const last = run?.[run.length - 1];
      if (run !== undefined && last !== undefined && phone.startMs <= last.endMs) run.push(phone);
      else runs.push([phone]);
    }
    const regions = runs.map((run) => ({
      startMs: run[0]?.startMs ?? 0,
      endMs: run[run.length - 1]?.endMs ?? 0,
    }));
    const regionOf = assignRegions(weights, regions);
    let first = 0;
    while (first < members.length) {
      const region = regionOf[first] ?? 0;
      let after = first;
      while (after < members.length && regionOf[after] === region) after++;
      const run = runs[region] ?? [];
      const share = splitRun(run, members.slice(first, after), regions[region] ?? { startMs: 0, endMs: 0 });
      share.forEach((span, k) => {
        spans[group.first + first + k] = span;
      });
      first = after;
    }
  }
  return {
    words: words.map((word, i) => ({
      text: word.text,
      startMs: spans[i]?.startMs ?? 0,
      endMs: spans[i]?.endMs ?? 0,
    })),
    phonemes,
  };
}
