/**
 * WebVTT captions for the browser's <track> (pure). Rules kept: one cue per caption segment with its lines
 * as cue lines; optional per-word karaoke timestamps `<hh:mm:ss.ttt>` that strictly increase inside the cue
 * and lie inside it; text escaped so it can never form a tag, an entity or a `-->`.
 */
import type { CaptionSegment } from './layout.js';

export interface WebVttOptions {
  /** Add a timestamp tag before every word after the first and wrap words in `<c>`. Default false. */
  wordTimestamps?: boolean;
}

/** Formats ms as a WebVTT timestamp `HH:MM:SS.mmm`. */
export function formatVttTime(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  const millis = total % 1000;
  const totalSeconds = Math.floor(total / 1000);
  const seconds = totalSeconds % 60;
  const minutes = Math.floor(totalSeconds / 60) % 60;
  const hours = Math.floor(totalSeconds / 3600);
  return `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}.${String(millis).padStart(3, '0')}`;
}

/** Escapes cue text: `&`, `<` and `>` become entities; line breaks and tabs become spaces. */
export function escapeVttText(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\r\n\t]+/g, ' ');
}

/** A complete WebVTT file for the segments. */
export function buildWebVtt(segments: readonly CaptionSegment[], options: WebVttOptions = {}): string {
  const blocks = ['WEBVTT'];
  let cueNumber = 0;
  for (const segment of segments) {
    const start = Math.round(segment.startMs);
    const end = Math.max(start + 1, Math.round(segment.endMs));
    let lastStamp = start;
    const lines = segment.lines
      .filter((line) => line.words.length > 0)
      .map((line) =>
        line.words
          .map((word) => {
            const text = escapeVttText(word.text);
            if (options.wordTimestamps !== true) return text;
            const stamp = Math.round(word.startMs);
            if (stamp > lastStamp && stamp < end) {
              lastStamp = stamp;
              return `<${formatVttTime(stamp)}><c>${text}</c>`;
            }
            return `<c>${text}</c>`;
          })
          .join(' '),
      );
    if (lines.length === 0) continue;
    cueNumber += 1;
    blocks.push(`${cueNumber}\n${formatVttTime(start)} --> ${formatVttTime(end)}\n${lines.join('\n')}`);
  }
  return `${blocks.join('\n\n')}\n`;
}
