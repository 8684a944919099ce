import { describe, expect, it } from 'vitest';
import { animateSpeech, findPauses, phonemeTargets } from '../src/portrait/animation.js';
import { frameEnvelope } from '../src/portrait/audio-envelope.js';
import {
  BLINK_DURATION_MS,
  blinkProfile,
  blinkTrack,
  headTrack,
  scheduleBlinks,
  seededRandom,
} from '../src/portrait/motion.js';
import { isSilencePhoneme, REST_SHAPE, visemeForPhoneme } from '../src/portrait/visemes.js';
import { longestPause, syntheticSpeech } from './portrait-fixtures.js';

describe('visemeForPhoneme', () => {
  it('shuts the lips for bilabials', () => {
    for (const p of ['p', 'b', 'm'])
      expect(visemeForPhoneme(p)).toEqual({ open: 0, spread: 0, round: 0, press: 1 });
  });

  it('opens for open vowels, spreads for front vowels, rounds for back rounded ones', () => {
    expect(visemeForPhoneme('ɑ').open).toBeGreaterThan(0.8);
    expect(visemeForPhoneme('i').spread).toBeGreaterThan(0.6);
    expect(visemeForPhoneme('u').round).toBeGreaterThan(0.8);
    expect(visemeForPhoneme('w').round).toBeGreaterThan(0.8);
    expect(visemeForPhoneme('ɑ').open).toBeGreaterThan(visemeForPhoneme('ə').open);
    expect(visemeForPhoneme('ə').open).toBeGreaterThan(visemeForPhoneme('i').open);
  });

  it('ignores stress, length and tie marks and decomposes precomposed letters', () => {
    expect(visemeForPhoneme('ˈɑː')).toEqual(visemeForPhoneme('ɑ'));
    expect(visemeForPhoneme('ˌuː')).toEqual(visemeForPhoneme('u'));
    expect(visemeForPhoneme('ã')).toEqual(visemeForPhoneme('a'));
    expect(visemeForPhoneme('t͡ʃ')).toEqual(visemeForPhoneme('tʃ'));
  });

  it('blends the parts of diphthongs 65/35 and rounds labialised consonants', () => {
    const ai = visemeForPhoneme('aɪ');
    const a = visemeForPhoneme('a');
    const i = visemeForPhoneme('ɪ');
    expect(ai.open).toBeCloseTo(0.65 * a.open + 0.35 * i.open, 10);
    expect(ai.spread).toBeCloseTo(0.65 * a.spread + 0.35 * i.spread, 10);
    expect(visemeForPhoneme('kʷ').round).toBeGreaterThanOrEqual(0.7);
  });

  it('rests in silence and half-opens for unknown symbols', () => {
    for (const p of ['', '_', 'sil', ' pau ']) {
      expect(isSilencePhoneme(p)).toBe(true);
      expect(visemeForPhoneme(p)).toEqual(REST_SHAPE);
    }
    expect(visemeForPhoneme('ʘ').open).toBeGreaterThan(0.1);
  });
});

describe('frameEnvelope', () => {
  it('is 0 in silence and reaches 1 on the loud parts', () => {
    const speech = syntheticSpeech();
    const env = frameEnvelope(speech.audio, 25, 95);
    const [pauseStart, pauseEnd] = longestPause(speech);
    const middle = Math.round(((pauseStart + pauseEnd) / 2000) * 25);
    expect(env[middle]).toBe(0);
    expect(env[0]).toBe(0);
    expect(Math.max(...env)).toBe(1);
  });

  it('is all zeros for digital silence', () => {
    const env = frameEnvelope({ sampleRate: 16000, samples: new Float32Array(16000) }, 25, 25);
    expect([...env].every((v) => v === 0)).toBe(true);
  });
});

describe('phonemeTargets', () => {
  it('weights phonemes by their overlap with the frame window, 40 ms ahead of the sound', () => {
    const phonemes = [
      { phoneme: 'm', startMs: 0, endMs: 100 },
      { phoneme: 'ɑ', startMs: 100, endMs: 300 },
    ];
    const { shapes, coverage } = phonemeTargets(phonemes, 25, 8);
    // Frame 1 (40 ms) looks at 60..100 ms: all "m".
    expect(shapes[1]?.press).toBe(1);
    // Frame 2 (80 ms) looks at 100..140 ms: all "ɑ".
    expect(shapes[2]?.open).toBeCloseTo(visemeForPhoneme('ɑ').open, 10);
    // Frame 7 (280 ms) looks at 300..340 ms: nothing spoken.
    expect(coverage[7]).toBe(0);
    expect(shapes[7]).toEqual(REST_SHAPE);
  });
});

describe('animateSpeech', () => {
  const speech = syntheticSpeech();
  const animation = animateSpeech(speech, { fps: 25, seed: 'test' });

  it('has one pose per frame covering the audio', () => {
    expect(animation.frameCount).toBe(Math.ceil((speech.audio.samples.length / 16000) * 25));
    expect(animation.poses).toHaveLength(animation.frameCount);
    expect(animation.durationMs).toBeCloseTo(speech.durationMs, 6);
  });

  it('closes the mouth completely inside the pause and opens it on the vowels', () => {
    const [pauseStart, pauseEnd] = longestPause(speech);
    const fromFrame = Math.ceil(((pauseStart + 250) * 25) / 1000);
    const toFrame = Math.floor(((pauseEnd - 100) * 25) / 1000);
    expect(toFrame - fromFrame).toBeGreaterThan(10);
    for (let f = fromFrame; f <= toFrame; f++) {
      const pose = animation.poses[f];
      expect([pose?.open, pose?.spread, pose?.round, pose?.press]).toEqual([0, 0, 0, 0]);
    }
    const aa = speech.phonemes.find((p) => p.phoneme === 'ɑː');
    const frame = Math.round((((aa?.startMs ?? 0) + (aa?.endMs ?? 0)) / 2000) * 25);
    expect(animation.poses[frame]?.open).toBeGreaterThan(0.5);
    expect(animation.pauses.some(([start, end]) => start <= pauseStart + 100 && end >= pauseEnd - 100)).toBe(
      true,
    );
  });

  it('presses the lips on the "m"', () => {
    const m = speech.phonemes.find((p) => p.phoneme === 'm');
    const frame = Math.round((((m?.startMs ?? 0) + (m?.endMs ?? 0)) / 2000) * 25);
    const pose = animation.poses[frame - 1];
    expect(pose?.press).toBeGreaterThan(0.5);
    expect(pose?.open).toBeLessThan(0.15);
  });

  it('falls back to the loudness when the engine gives no phonemes', () => {
    const blind = animateSpeech({ ...speech, phonemes: [] }, { fps: 25, seed: 'test' });
    const opens = blind.poses.map((p) => p.open);
    expect(Math.max(...opens)).toBeGreaterThan(0.4);
    const [pauseStart, pauseEnd] = longestPause(speech);
    const middle = Math.round(((pauseStart + pauseEnd) / 2000) * 25);
    expect(opens[middle]).toBe(0);
  });

  it('is deterministic for a seed and varies with it', () => {
    const again = animateSpeech(speech, { fps: 25, seed: 'test' });
    expect(again.poses).toEqual(animation.poses);
    const other = animateSpeech(speech, { fps: 25, seed: 'other' });
    expect(other.poses.map((p) => p.head.roll)).not.toEqual(animation.poses.map((p) => p.head.roll));
    expect(other.poses.map((p) => p.open)).toEqual(animation.poses.map((p) => p.open));
  });

  it('finds pauses of at least 250 ms only', () => {
    const loud = new Float32Array([1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1]);
    expect(findPauses(loud, 25)).toEqual([[80, 360]]);
  });
});

describe('blinks', () => {
  it('last about 150 ms and are fully shut in the middle', () => {
    expect(BLINK_DURATION_MS).toBeGreaterThanOrEqual(130);
    expect(BLINK_DURATION_MS).toBeLessThanOrEqual(200);
    expect(blinkProfile(0)).toBe(0);
    expect(blinkProfile(60)).toBe(1);
    expect(blinkProfile(BLINK_DURATION_MS)).toBe(0);
  });

  it('come every 2-6 s (doubles aside) and move into nearby pauses', () => {
    const random = seededRandom('blinks');
    const starts = scheduleBlinks(120_000, random);
    expect(starts[0]).toBeGreaterThanOrEqual(600);
    expect(starts[0]).toBeLessThanOrEqual(2200);
    const gaps = starts.slice(1).map((t, i) => t - (starts[i] ?? 0));
    const singles = gaps.filter((g) => g > 400);
    expect(Math.min(...singles)).toBeGreaterThanOrEqual(2000);
    expect(Math.max(...singles)).toBeLessThanOrEqual(6000 + 1);
    expect(singles.length).toBeGreaterThan(15);
    const withPause = scheduleBlinks(10_000, seededRandom('blinks'), [[(starts[0] ?? 0) + 500, 5000]]);
    expect(withPause[0]).toBe((starts[0] ?? 0) + 600);
  });

  it('reach full closure on a frame', () => {
    for (const start of [1000, 1013, 1027, 1039]) {
      const track = blinkTrack([start], 25, 50);
      expect(Math.max(...track)).toBe(1);
      expect(track.filter((v) => v > 0).length).toBeLessThanOrEqual(5);
    }
  });
});

describe('headTrack', () => {
  it('stays small and moves smoothly', () => {
    const loud = new Float32Array(750).fill(0.5);
    const poses = headTrack(seededRandom('head'), 25, loud);
    const rolls = poses.map((p) => Math.abs(p.roll));
    expect(Math.max(...rolls)).toBeLessThan((1.5 * Math.PI) / 180);
    expect(Math.max(...rolls)).toBeGreaterThan((0.2 * Math.PI) / 180);
    expect(Math.max(...poses.map((p) => Math.abs(p.x)))).toBeLessThan(0.015);
    expect(Math.max(...poses.map((p) => Math.abs(p.y)))).toBeLessThan(0.02);
    for (let i = 1; i < poses.length; i++) {
      expect(Math.abs((poses[i]?.roll ?? 0) - (poses[i - 1]?.roll ?? 0))).toBeLessThan(0.002);
    }
  });
});
