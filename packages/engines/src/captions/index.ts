/** Karaoke captions: layout from word timings, ASS for burn-in, WebVTT for the browser. */
export {
  type AssOptions,
  buildAssSubtitles,
  buildKaraokeText,
  escapeAssText,
  formatAssTime,
  toAssColor,
} from './ass.js';
export {
  type CaptionLayoutOptions,
  type CaptionLine,
  type CaptionSegment,
  type CaptionWord,
  layoutCaptions,
  lineLength,
  segmentWords,
} from './layout.js';
export { type CaptionGeometry, captionGeometry } from './style.js';
export { buildWebVtt, escapeVttText, formatVttTime, type WebVttOptions } from './vtt.js';
