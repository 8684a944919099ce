/**
 * Per-frame loudness of the speech, normalised for lip sync (pure). Rules kept:
 * - frame f is measured over a window 1.5 frames wide centred on the middle of its display interval
 *   (src/audio's rmsEnvelope), so neighbouring frames overlap slightly and short syllables are not missed;
 * - loudness is RMS in dB, normalised against the loud speech level (95th percentile of frames within 50 dB
 *   of the peak): 0 at 30 dB below that level (silence), 1 at the level;
 * - an all-silent clip is all zeros.
 */
import { rmsEnvelope } from '../audio/envelope.js';
import type { PcmAudio } from '../types.js';

/** Range below the reference level that maps onto 0..1. */
const DYNAMIC_RANGE_DB = 30;

/** Loudness 0..1 per frame, normalised as the module comment says. */
export function frameEnvelope(audio: PcmAudio, fps: number, frameCount: number): Float32Array {
  const rms = rmsEnvelope(audio, fps, { frameCount, windowS: 1.5 / fps });
  const db = Array.from(rms, (v) => (v > 1e-7 ? 20 * Math.log10(v) : -140));
  const peak = db.reduce((max, v) => Math.max(max, v), -140);
  const out = new Float32Array(frameCount);
  if (peak <= -100) return out;
  const loud = db.filter((v) => v > peak - 50).sort((a, b) => a - b);
  const reference = loud[Math.min(loud.length - 1, Math.floor(loud.length * 0.95))] ?? peak;
  const floor = reference - DYNAMIC_RANGE_DB;
  for (let f = 0; f < frameCount; f++) {
    out[f] = Math.min(1, Math.max(0, ((db[f] ?? -140) - floor) / DYNAMIC_RANGE_DB));
  }
  return out;
}
