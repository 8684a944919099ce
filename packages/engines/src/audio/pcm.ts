/** Small facts about and operations on mono PCM audio. */
import type { PcmAudio } from '../types.js';

/** Duration in milliseconds. */
export function durationMs(audio: PcmAudio): number {
  return audio.sampleRate > 0 ? (audio.samples.length * 1000) / audio.sampleRate : 0;
}

/** A copy of the samples between two sample indices (clamped to the audio). */
export function sliceAudio(audio: PcmAudio, start: number, end: number): PcmAudio {
  const from = Math.max(0, Math.min(audio.samples.length, Math.floor(start)));
  const to = Math.max(from, Math.min(audio.samples.length, Math.floor(end)));
  return { sampleRate: audio.sampleRate, samples: audio.samples.slice(from, to) };
}

/** Joins pieces that share one sample rate. */
export function concatAudio(sampleRate: number, pieces: readonly Float32Array[]): PcmAudio {
  let total = 0;
  for (const piece of pieces) total += piece.length;
  const samples = new Float32Array(total);
  let offset = 0;
  for (const piece of pieces) {
    samples.set(piece, offset);
    offset += piece.length;
  }
  return { sampleRate, samples };
}

/** Converts signed 16-bit samples to floats in -1..1. */
export function int16ToFloat32(input: Int16Array): Float32Array {
  const out = new Float32Array(input.length);
  for (let i = 0; i < input.length; i++) out[i] = (input[i] ?? 0) / 32768;
  return out;
}
