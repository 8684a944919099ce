export * from './envelope.js';
export * from './gain.js';
export * from './pcm.js';
export * from './resample.js';
export * from './silence.js';
export * from './wav.js';
