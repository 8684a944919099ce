import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MySpinBotError } from '@myspinbot/contracts';
import { describe, expect, it } from 'vitest';
import { decodeWav } from '../src/audio/wav.js';
import { EspeakSpeechEngine } from '../src/speech/espeak-engine.js';
import type { PcmAudio, VoiceProfile } from '../src/types.js';
import { analyseVoice, measureVoice } from '../src/voice/measure.js';
import { trackPitch } from '../src/voice/pitch.js';

/** Shared test data lives next to the project (../shared/testdata from the repository root); read in place. */
const TESTDATA = fileURLToPath(new URL('../../../../shared/testdata/', import.meta.url));

/** A harmonic tone (fundamental plus decaying overtones) with a gentle syllable-like amplitude pattern. */
function harmonicTone(f0: number, seconds: number, sampleRate = 48000): PcmAudio {
  const samples = new Float32Array(Math.round(seconds * sampleRate));
  for (let i = 0; i < samples.length; i++) {
    const t = i / sampleRate;
    let value = 0;
    for (let h = 1; h <= 6; h++) value += Math.sin(2 * Math.PI * f0 * h * t) / h;
    samples[i] = 0.3 * value * (0.6 + 0.4 * Math.sin(2 * Math.PI * 4 * t));
  }
  return { sampleRate, samples };
}

function failure(run: () => unknown): MySpinBotError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MySpinBotError);
    return error as MySpinBotError;
  }
  throw new Error('expected a MySpinBotError');
}

describe('pitch tracking', () => {
  it('finds the fundamental of harmonic tones, not an overtone', () => {
    for (const f0 of [80, 150, 220, 400]) {
      const frames = trackPitch(harmonicTone(f0, 0.5, 16000).samples, 16000);
      const voiced = frames.filter((frame) => frame.aperiodicity < 0.1);
      expect(voiced.length).toBeGreaterThan(frames.length * 0.9);
      for (const frame of voiced) expect(Math.abs(frame.f0Hz / f0 - 1)).toBeLessThan(0.01);
    }
  });

  it('calls white noise aperiodic', () => {
    let seed = 1;
    const noise = new Float32Array(16000).map(() => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648 - 0.5;
    });
    const frames = trackPitch(noise, 16000);
    const periodic = frames.filter((frame) => frame.aperiodicity < 0.25);
    expect(periodic.length).toBeLessThan(frames.length * 0.1);
  });
});

describe('measureVoice', () => {
  it('measures a 150 Hz harmonic tone within 3%', () => {
    const profile = measureVoice(harmonicTone(150, 3), null);
    expect(Math.abs(profile.pitchHz / 150 - 1)).toBeLessThan(0.03);
    expect(profile.pitchRangeSemitones).toBeLessThan(0.5);
    expect(profile.voicedRatio).toBeGreaterThan(0.9);
    expect(profile.loudnessDbfs).toBeLessThan(0);
    expect(profile.loudnessDbfs).toBeGreaterThan(-20);
    expect(profile.wordsPerMinute).toBeNull();
    expect(profile.transcript).toBeNull();
    expect(profile.sampleDurationS).toBeCloseTo(3, 6);
    // The 4 Hz amplitude pattern reads as about 4 syllables per second.
    expect(profile.syllablesPerSecond).toBeGreaterThan(3);
    expect(profile.syllablesPerSecond).toBeLessThan(5);
  });

  it('refuses silence, too-short samples, noise and broken input with NODE_INPUT_INVALID', () => {
    const silent = failure(() => measureVoice({ sampleRate: 16000, samples: new Float32Array(32000) }, null));
    expect(silent.code).toBe('NODE_INPUT_INVALID');
    expect(silent.message).toContain('silent');
    const short = failure(() => measureVoice(harmonicTone(150, 0.6), 'hello'));
    expect(short.code).toBe('NODE_INPUT_INVALID');
    expect(short.message).toContain('too short');
    let seed = 7;
    const noise = new Float32Array(32000).map(() => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return 0.5 * (seed / 2147483648 - 0.5);
    });
    const unvoiced = failure(() => measureVoice({ sampleRate: 16000, samples: noise }, null));
    expect(unvoiced.code).toBe('NODE_INPUT_INVALID');
    expect(unvoiced.message).toContain('voiced');
    const broken = harmonicTone(150, 2, 16000);
    broken.samples[100] = Number.NaN;
    expect(failure(() => measureVoice(broken, null)).code).toBe('NODE_INPUT_INVALID');
    expect(failure(() => measureVoice({ sampleRate: 0, samples: new Float32Array(10) }, null)).code).toBe(
      'NODE_INPUT_INVALID',
    );
  });

  it('measures the real carl_jung sample plausibly', () => {
    const audio = decodeWav(readFileSync(`${TESTDATA}carl_jung.wav`));
    const transcript = readFileSync(`${TESTDATA}carl_jung.reference.txt`, 'utf8');
    expect(audio.sampleRate).toBe(48000);
    const profile = measureVoice(audio, transcript);
    expect(profile.version).toBe(1);
    expect(profile.pitchHz).toBeGreaterThan(70);
    expect(profile.pitchHz).toBeLessThan(200);
    expect(profile.wordsPerMinute).not.toBeNull();
    expect(profile.wordsPerMinute ?? 0).toBeGreaterThan(80);
    expect(profile.wordsPerMinute ?? 0).toBeLessThan(220);
    expect(profile.voicedRatio).toBeGreaterThan(0.2);
    expect(profile.voicedRatio).toBeLessThan(0.95);
    expect(profile.syllablesPerSecond).toBeGreaterThan(2);
    expect(profile.syllablesPerSecond).toBeLessThan(7);
    expect(profile.pitchRangeSemitones).toBeGreaterThan(1);
    expect(profile.pitchRangeSemitones).toBeLessThan(12);
    expect(profile.loudnessDbfs).toBeGreaterThan(-45);
    expect(profile.loudnessDbfs).toBeLessThan(-3);
    expect(profile.sampleDurationS).toBeCloseTo(audio.samples.length / 48000, 6);
    expect(profile.transcript).toBe(transcript.trim());
    const analysis = analyseVoice(audio);
    expect(analysis.speechEndS).toBeGreaterThan(analysis.speechStartS + 8);
    // Without a transcript there is no words-per-minute figure, the rest is the same.
    const untranscribed = measureVoice(audio, '  ');
    expect(untranscribed.wordsPerMinute).toBeNull();
    expect(untranscribed.transcript).toBeNull();
    expect(untranscribed.pitchHz).toBe(profile.pitchHz);
  });

  it('closes the loop: eSpeak shaped by a profile measures back close to that profile', async () => {
    const engine = new EspeakSpeechEngine();
    const text =
      'Every morning I walk down to the harbour and watch the fishing boats come in. The gulls follow them, ' +
      'crying loudly, hoping for a share of the catch. It is a simple pleasure, but it makes the day brighter.';
    const targets: Array<Pick<VoiceProfile, 'pitchHz' | 'wordsPerMinute'>> = [
      { pitchHz: 110, wordsPerMinute: 140 },
      { pitchHz: 215, wordsPerMinute: 185 },
    ];
    for (const target of targets) {
      const voice: VoiceProfile = {
        version: 1,
        pitchRangeSemitones: 2,
        syllablesPerSecond: 4,
        loudnessDbfs: -20,
        voicedRatio: 0.5,
        sampleDurationS: 10,
        transcript: null,
        ...target,
      };
      const speech = await engine.synthesize(text, { voice });
      const measured = measureVoice(speech.audio, text);
      expect(Math.abs(measured.pitchHz / target.pitchHz - 1)).toBeLessThan(0.08);
      expect(Math.abs((measured.wordsPerMinute ?? 0) / (target.wordsPerMinute ?? 1) - 1)).toBeLessThan(0.12);
    }
  });
});
