/**
 * The animation track of a talking portrait: one pose per video frame (pure and deterministic). Rules kept:
 * - the mouth leads the sound by 40 ms (lips move before the sound is heard);
 * - a frame's phoneme shape is the overlap-weighted mean of the phonemes in its window; the part of the
 *   window no phoneme covers (or every window, when the engine gave no phonemes) follows the loudness;
 * - loudness scales the opening, and silence closes the mouth: after the attack/release smoothing, every
 *   channel below 0.03 snaps to 0, so pauses show the untouched closed mouth;
 * - bilabial closure (press) wins over opening;
 * - blinks and head motion come from generators seeded with `seed` (see motion.ts).
 */
import type { PhonemeTiming, SpeechResult } from '../types.js';
import { frameEnvelope } from './audio-envelope.js';
import { blinkTrack, type HeadPose, headTrack, scheduleBlinks, seededRandom } from './motion.js';
import { type MouthShape, REST_SHAPE, visemeForPhoneme } from './visemes.js';

export interface FramePose extends MouthShape {
  /** Eyelid closure 0..1. */
  blink: number;
  head: HeadPose;
}

export interface PortraitAnimation {
  fps: number;
  frameCount: number;
  durationMs: number;
  poses: FramePose[];
  /** Loudness 0..1 per frame. */
  loudness: Float32Array;
  /** Silent stretches of at least 250 ms, [startMs, endMs]. */
  pauses: [number, number][];
  blinkStartsMs: number[];
}

export interface AnimationOptions {
  fps: number;
  seed: string;
}

const LEAD_MS = 40;
const SNAP = 0.03;
/** Smoothing time constants (ms) for rising / falling values per channel. */
const TIME_CONSTANTS: Record<keyof MouthShape, [attack: number, release: number]> = {
  open: [30, 45],
  spread: [50, 60],
  round: [50, 60],
  press: [15, 35],
};

function smoothstep(edge0: number, edge1: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - edge0) / (edge1 - edge0)));
  return t * t * (3 - 2 * t);
}

/** Silent runs (loudness below 0.12) of at least `minMs`, as [startMs, endMs]. */
export function findPauses(loudness: Float32Array, fps: number, minMs = 250): [number, number][] {
  const pauses: [number, number][] = [];
  let start = -1;
  for (let f = 0; f <= loudness.length; f++) {
    const silent = f < loudness.length && (loudness[f] ?? 0) < 0.12;
    if (silent && start < 0) start = f;
    if (!silent && start >= 0) {
      const startMs = (start * 1000) / fps;
      const endMs = (f * 1000) / fps;
      if (endMs - startMs >= minMs) pauses.push([startMs, endMs]);
      start = -1;
    }
  }
  return pauses;
}

/**
 * Phoneme shape of each frame window and the fraction of the window covered by spoken phonemes.
 * Phonemes must be sorted by start time.
 */
export function phonemeTargets(
  phonemes: readonly PhonemeTiming[],
  fps: number,
  frameCount: number,
  leadMs = LEAD_MS,
): { shapes: MouthShape[]; coverage: Float32Array } {
  const shapes: MouthShape[] = [];
  const coverage = new Float32Array(frameCount);
  const visemes = phonemes.map((p) => visemeForPhoneme(p.phoneme));
  const frameMs = 1000 / fps;
  let first = 0;
  for (let f = 0; f < frameCount; f++) {
    const from = f * frameMs + leadMs - frameMs / 2;
    const to = from + frameMs;
    while (first < phonemes.length && (phonemes[first]?.endMs ?? 0) <= from) first++;
    const sum: MouthShape = { ...REST_SHAPE };
    let covered = 0;
    for (let i = first; i < phonemes.length; i++) {
      const p = phonemes[i];
      const v = visemes[i];
      if (p === undefined || v === undefined) continue;
      if (p.startMs >= to) break;
      const overlap = Math.min(to, p.endMs) - Math.max(from, p.startMs);
      if (overlap <= 0) continue;
      const spoken = v.open + v.spread + v.round + v.press > 0;
      if (!spoken) continue;
      covered += overlap;
      sum.open += v.open * overlap;
      sum.spread += v.spread * overlap;
      sum.round += v.round * overlap;
      sum.press += v.press * overlap;
    }
    const c = Math.min(1, covered / frameMs);
    coverage[f] = c;
    shapes.push(
      covered > 0
        ? {
            open: sum.open / covered,
            spread: sum.spread / covered,
            round: sum.round / covered,
            press: sum.press / covered,
          }
        : { ...REST_SHAPE },
    );
  }
  return { shapes, coverage };
}

/** Builds the per-frame animation of a speech result; see the module comment for the rules. */
export function animateSpeech(speech: SpeechResult, options: AnimationOptions): PortraitAnimation {
  const { fps } = options;
  const { audio } = speech;
  const durationMs = (audio.samples.length / audio.sampleRate) * 1000;
  const frameCount = Math.max(1, Math.ceil((durationMs * fps) / 1000));
  const loudness = frameEnvelope(audio, fps, frameCount);
  const phonemes = [...speech.phonemes].sort((a, b) => a.startMs - b.startMs);
  const { shapes, coverage } = phonemeTargets(phonemes, fps, frameCount);
  const leadFrames = Math.round((LEAD_MS * fps) / 1000);
  const frameMs = 1000 / fps;

  const state: MouthShape = { ...REST_SHAPE };
  const mouth: MouthShape[] = [];
  for (let f = 0; f < frameCount; f++) {
    const level = Math.max(loudness[f] ?? 0, loudness[Math.min(frameCount - 1, f + leadFrames)] ?? 0);
    const gate = smoothstep(0.1, 0.22, level);
    const shape = shapes[f] ?? REST_SHAPE;
    const c = coverage[f] ?? 0;
    // The envelope stands in for the share of the window that no phoneme explains.
    const target: MouthShape = {
      open: (c * shape.open * (0.55 + 0.45 * level) + (1 - c) * 0.75 * level) * gate,
      spread: (c * shape.spread + (1 - c) * 0.1) * gate,
      round: c * shape.round * gate,
      press: c * shape.press,
    };
    for (const key of ['open', 'spread', 'round', 'press'] as const) {
      const [attack, release] = TIME_CONSTANTS[key];
      const tau = target[key] > state[key] ? attack : release;
      state[key] += (target[key] - state[key]) * (1 - Math.exp(-frameMs / tau));
    }
    const snapped = (v: number): number => (v < SNAP ? 0 : Math.min(1, v));
    const press = snapped(state.press);
    mouth.push({
      open: snapped(state.open * (1 - press)),
      spread: snapped(state.spread),
      round: snapped(state.round),
      press,
    });
  }

  const pauses = findPauses(loudness, fps);
  const blinkStartsMs = scheduleBlinks(durationMs, seededRandom(`${options.seed}:blinks`), pauses);
  const blinks = blinkTrack(blinkStartsMs, fps, frameCount);
  const head = headTrack(seededRandom(`${options.seed}:head`), fps, loudness);
  const poses: FramePose[] = mouth.map((m, f) => ({
    ...m,
    blink: blinks[f] ?? 0,
    head: head[f] ?? { roll: 0, x: 0, y: 0, scale: 0 },
  }));
  return { fps, frameCount, durationMs, poses, loudness, pauses, blinkStartsMs };
}
