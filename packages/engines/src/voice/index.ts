export * from './measure.js';
export * from './pitch.js';
