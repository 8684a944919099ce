export {
  cardinalWords,
  decadeWords,
  digitWords,
  MAX_SPELLED_NUMBER,
  ordinalWords,
  yearWords,
} from './numbers.js';
export * from './post-script.js';
export { type CaptionSegment, splitSegments } from './segments.js';
export { type SpeakableOptions, speakableNarration } from './speakable.js';
