import { MySpinBotError } from '@myspinbot/contracts';
import { describe, expect, it } from 'vitest';
import { rmsEnvelope, rmsOf } from '../src/audio/envelope.js';
import {
  applyGain,
  dbToGain,
  gainToDb,
  normalizePeak,
  normalizeRms,
  peakDbfs,
  rmsDbfs,
} from '../src/audio/gain.js';
import { concatAudio, durationMs, sliceAudio } from '../src/audio/pcm.js';
import { resample } from '../src/audio/resample.js';
import { detectSoundRegions, soundSpan, trimSilence } from '../src/audio/silence.js';
import { decodeWav, decodeWavChannels, encodeWav, readWavInfo } from '../src/audio/wav.js';
import type { PcmAudio } from '../src/types.js';

function tone(sampleRate: number, seconds: number, hz: number, amplitude = 0.5): PcmAudio {
  const samples = new Float32Array(Math.round(sampleRate * seconds));
  for (let i = 0; i < samples.length; i++)
    samples[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / sampleRate);
  return { sampleRate, samples };
}

function silence(sampleRate: number, seconds: number): PcmAudio {
  return { sampleRate, samples: new Float32Array(Math.round(sampleRate * seconds)) };
}

function join(...parts: PcmAudio[]): PcmAudio {
  return concatAudio(
    parts[0]?.sampleRate ?? 16000,
    parts.map((part) => part.samples),
  );
}

/** Amplitude of one frequency in the signal (single-bin DFT), skipping `skip` samples at each edge. */
function amplitudeAt(audio: PcmAudio, hz: number, skip = 0): number {
  let re = 0;
  let im = 0;
  const end = audio.samples.length - skip;
  for (let i = skip; i < end; i++) {
    const phase = (2 * Math.PI * hz * i) / audio.sampleRate;
    re += (audio.samples[i] ?? 0) * Math.cos(phase);
    im -= (audio.samples[i] ?? 0) * Math.sin(phase);
  }
  return (2 * Math.hypot(re, im)) / (end - skip);
}

/** Builds a WAV by hand: fmt fields, raw frame bytes, optional extra chunk before data. */
function rawWav(options: {
  formatTag: number;
  channels: number;
  sampleRate: number;
  bits: number;
  data: Buffer;
  extensibleSubFormat?: number;
  extraChunk?: Buffer;
  dataSizeField?: number;
}): Buffer {
  const extensible = options.extensibleSubFormat !== undefined;
  const fmt = Buffer.alloc(extensible ? 40 : 16);
  const blockAlign = (options.channels * options.bits) / 8;
  fmt.writeUInt16LE(extensible ? 0xfffe : options.formatTag, 0);
  fmt.writeUInt16LE(options.channels, 2);
  fmt.writeUInt32LE(options.sampleRate, 4);
  fmt.writeUInt32LE(options.sampleRate * blockAlign, 8);
  fmt.writeUInt16LE(blockAlign, 12);
  fmt.writeUInt16LE(options.bits, 14);
  if (extensible) {
    fmt.writeUInt16LE(22, 16);
    fmt.writeUInt16LE(options.bits, 18);
    fmt.writeUInt16LE(options.extensibleSubFormat ?? 1, 24);
  }
  const chunk = (id: string, body: Buffer, sizeField?: number): Buffer => {
    const header = Buffer.alloc(8);
    header.write(id, 0, 'ascii');
    header.writeUInt32LE(sizeField ?? body.length, 4);
    return Buffer.concat([header, body, body.length % 2 === 1 ? Buffer.alloc(1) : Buffer.alloc(0)]);
  };
  const parts = [chunk('fmt ', fmt)];
  if (options.extraChunk) parts.push(chunk('LIST', options.extraChunk));
  parts.push(chunk('data', options.data, options.dataSizeField));
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(12);
  head.write('RIFF', 0, 'ascii');
  head.writeUInt32LE(4 + body.length, 4);
  head.write('WAVE', 8, 'ascii');
  return Buffer.concat([head, body]);
}

describe('WAV', () => {
  it('round-trips PCM16 within one quantisation step and keeps the header facts', () => {
    const audio = tone(22050, 0.25, 440, 0.8);
    const bytes = encodeWav(audio);
    expect(bytes.length).toBe(44 + audio.samples.length * 2);
    expect(readWavInfo(bytes)).toEqual({
      sampleRate: 22050,
      channels: 1,
      bitsPerSample: 16,
      encoding: 'pcm',
      frames: audio.samples.length,
    });
    const decoded = decodeWav(bytes);
    expect(decoded.sampleRate).toBe(22050);
    expect(decoded.samples.length).toBe(audio.samples.length);
    let worst = 0;
    for (let i = 0; i < audio.samples.length; i++) {
      worst = Math.max(worst, Math.abs((decoded.samples[i] ?? 0) - (audio.samples[i] ?? 0)));
    }
    expect(worst).toBeLessThanOrEqual(0.5 / 32768 + 1e-7);
    // Decoding and re-encoding gives the same bytes.
    expect(encodeWav(decoded).equals(bytes)).toBe(true);
  });

  it('round-trips float32 exactly', () => {
    const audio = tone(48000, 0.1, 1000, 0.3);
    const decoded = decodeWav(encodeWav(audio, { format: 'float32' }));
    expect(readWavInfo(encodeWav(audio, { format: 'float32' })).encoding).toBe('float');
    expect(Array.from(decoded.samples)).toEqual(Array.from(audio.samples));
  });

  it('clamps PCM16 at full scale and writes non-finite samples as silence', () => {
    const audio: PcmAudio = { sampleRate: 8000, samples: Float32Array.from([2, -2, 1, -1, Number.NaN, 0.5]) };
    const bytes = encodeWav(audio);
    const values = [0, 1, 2, 3, 4, 5].map((i) => bytes.readInt16LE(44 + i * 2));
    expect(values).toEqual([32767, -32768, 32767, -32768, 0, 16384]);
  });

  it('decodes 8-bit unsigned, 24-bit and 32-bit integer PCM and 32/64-bit float', () => {
    const u8 = Buffer.from([128, 255, 0, 192]);
    expect(
      Array.from(
        decodeWav(rawWav({ formatTag: 1, channels: 1, sampleRate: 8000, bits: 8, data: u8 })).samples,
      ),
    ).toEqual([0, 127 / 128, -1, 0.5]);
    const s24 = Buffer.alloc(9);
    s24.writeIntLE(4194304, 0, 3);
    s24.writeIntLE(-8388608, 3, 3);
    s24.writeIntLE(-1, 6, 3);
    expect(
      Array.from(
        decodeWav(rawWav({ formatTag: 1, channels: 1, sampleRate: 8000, bits: 24, data: s24 })).samples,
      ),
    ).toEqual([0.5, -1, -1 / 8388608]);
    const s32 = Buffer.alloc(8);
    s32.writeInt32LE(-1073741824, 0);
    s32.writeInt32LE(2147483647, 4);
    const decoded32 = decodeWav(
      rawWav({ formatTag: 1, channels: 1, sampleRate: 8000, bits: 32, data: s32 }),
    ).samples;
    expect(decoded32[0]).toBe(-0.5);
    expect(decoded32[1]).toBeCloseTo(1, 6);
    const f64 = Buffer.alloc(16);
    f64.writeDoubleLE(0.25, 0);
    f64.writeDoubleLE(-0.75, 8);
    expect(
      Array.from(
        decodeWav(rawWav({ formatTag: 3, channels: 1, sampleRate: 8000, bits: 64, data: f64 })).samples,
      ),
    ).toEqual([0.25, -0.75]);
  });

  it('downmixes channels by averaging and keeps them apart on request', () => {
    const frames = Buffer.alloc(8);
    frames.writeInt16LE(16384, 0); // L = 0.5
    frames.writeInt16LE(-16384, 2); // R = -0.5
    frames.writeInt16LE(32767, 4);
    frames.writeInt16LE(0, 6);
    const bytes = rawWav({ formatTag: 1, channels: 2, sampleRate: 44100, bits: 16, data: frames });
    const mono = decodeWav(bytes);
    expect(mono.samples[0]).toBe(0);
    expect(mono.samples[1]).toBeCloseTo(0.5, 4);
    const split = decodeWavChannels(bytes);
    expect(split.info.channels).toBe(2);
    expect(split.channels[0]?.[0]).toBe(0.5);
    expect(split.channels[1]?.[0]).toBe(-0.5);
  });

  it('reads WAVE_FORMAT_EXTENSIBLE float, skips unknown odd-sized chunks, and accepts a streamed (unknown) data size', () => {
    const data = Buffer.alloc(12);
    data.writeFloatLE(0.125, 0);
    data.writeFloatLE(-0.25, 4);
    data.writeFloatLE(0.5, 8);
    const bytes = rawWav({
      formatTag: 3,
      channels: 1,
      sampleRate: 24000,
      bits: 32,
      data,
      extensibleSubFormat: 3,
      extraChunk: Buffer.from('odd'),
      dataSizeField: 0xffffffff,
    });
    const decoded = decodeWav(bytes);
    expect(decoded.sampleRate).toBe(24000);
    expect(Array.from(decoded.samples)).toEqual([0.125, -0.25, 0.5]);
  });

  it('rejects what it cannot read with NODE_INPUT_INVALID', () => {
    const cases: Buffer[] = [
      Buffer.from('not a wav file at all'),
      Buffer.alloc(4),
      rawWav({ formatTag: 2, channels: 1, sampleRate: 8000, bits: 4, data: Buffer.alloc(4) }),
      rawWav({ formatTag: 1, channels: 1, sampleRate: 8000, bits: 12, data: Buffer.alloc(4) }),
      encodeWav(tone(8000, 0.01, 100)).subarray(0, 36),
    ];
    for (const bytes of cases) {
      expect(() => decodeWav(bytes)).toThrowError(MySpinBotError);
      try {
        decodeWav(bytes);
      } catch (error) {
        expect((error as MySpinBotError).code).toBe('NODE_INPUT_INVALID');
      }
    }
  });
});

describe('resample', () => {
  it('downsamples 48 kHz to 16 kHz keeping a 1 kHz tone and removing a 10 kHz one (no aliasing)', () => {
    const low = tone(48000, 0.5, 1000, 0.5);
    const high = tone(48000, 0.5, 10000, 0.5);
    const mixed: PcmAudio = {
      sampleRate: 48000,
      samples: low.samples.map((v, i) => v + (high.samples[i] ?? 0)),
    };
    const out = resample(mixed, 16000);
    expect(out.sampleRate).toBe(16000);
    expect(out.samples.length).toBe(8000);
    expect(amplitudeAt(out, 1000, 200)).toBeCloseTo(0.5, 2);
    // 10 kHz would fold to 6 kHz at 16 kHz.
    expect(amplitudeAt(out, 6000, 200)).toBeLessThan(0.005);
  });

  it('upsamples 22.05 kHz to 48 kHz keeping the tone and adding no image', () => {
    const out = resample(tone(22050, 0.5, 3000, 0.4), 48000);
    expect(out.samples.length).toBe(24000);
    expect(amplitudeAt(out, 3000, 500)).toBeCloseTo(0.4, 2);
    // The image of 3 kHz would sit at 22.05 - 3 = 19.05 kHz.
    expect(amplitudeAt(out, 19050, 500)).toBeLessThan(0.004);
  });

  it('keeps a constant signal constant away from the edges, and the linear mode interpolates', () => {
    const dc: PcmAudio = { sampleRate: 44100, samples: new Float32Array(4410).fill(0.3) };
    const out = resample(dc, 16000);
    for (let i = 100; i < out.samples.length - 100; i++) expect(out.samples[i]).toBeCloseTo(0.3, 4);
    const ramp: PcmAudio = { sampleRate: 2, samples: Float32Array.from([0, 1, 2, 3]) };
    expect(Array.from(resample(ramp, 4, 'linear').samples)).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3, 3]);
    expect(resample(dc, 44100)).toBe(dc);
    expect(() => resample(dc, 0)).toThrowError(MySpinBotError);
  });
});

describe('envelope, gain and silence', () => {
  it('gives one RMS value per video frame', () => {
    const audio = join(tone(48000, 0.5, 200, 0.5), silence(48000, 0.5));
    const envelope = rmsEnvelope(audio, 30);
    expect(envelope.length).toBe(30);
    expect(envelope[3]).toBeCloseTo(0.5 / Math.SQRT2, 2);
    expect(envelope[25]).toBe(0);
    expect(rmsEnvelope(audio, 25, { frameCount: 40 }).length).toBe(40);
    expect(rmsEnvelope(audio, 25, { frameCount: 40 })[39]).toBe(0);
    const wide = rmsEnvelope(audio, 30, { windowS: 0.2 });
    expect(wide[14]).toBeGreaterThan(0);
    expect(wide[14]).toBeLessThan(envelope[3] ?? 0);
    expect(rmsOf(new Float32Array(0))).toBe(0);
    expect(() => rmsEnvelope(audio, 0)).toThrowError(MySpinBotError);
  });

  it('applies gain and normalises peak and RMS level', () => {
    const audio = tone(16000, 0.5, 300, 0.25);
    expect(peakDbfs(applyGain(audio, 6.0206))).toBeCloseTo(gainToDb(0.5), 2);
    expect(peakDbfs(normalizePeak(audio, -1))).toBeCloseTo(-1, 3);
    expect(rmsDbfs(normalizeRms(audio, -20))).toBeCloseTo(-20, 2);
    // A target that would clip stops at the peak ceiling.
    const loud = normalizeRms(audio, -2, { peakCeilingDbfs: -1 });
    expect(peakDbfs(loud)).toBeCloseTo(-1, 3);
    expect(rmsDbfs(loud)).toBeLessThan(-2);
    const quiet = silence(16000, 0.1);
    expect(normalizePeak(quiet)).toBe(quiet);
    expect(rmsDbfs(quiet)).toBe(-120);
    expect(dbToGain(-6.0206)).toBeCloseTo(0.5, 4);
  });

  it('finds sound regions, joins short gaps and trims leading and trailing silence', () => {
    const sr = 16000;
    const audio = join(
      silence(sr, 0.5),
      tone(sr, 0.4, 220, 0.3),
      silence(sr, 0.1),
      tone(sr, 0.3, 220, 0.3),
      silence(sr, 0.4),
      tone(sr, 0.3, 220, 0.3),
      silence(sr, 0.6),
    );
    const regions = detectSoundRegions(audio);
    // The 100 ms gap is joined (shorter than 200 ms); the 400 ms one separates.
    expect(regions.length).toBe(2);
    expect((regions[0]?.start ?? 0) / sr).toBeCloseTo(0.5, 1);
    expect((regions[0]?.end ?? 0) / sr).toBeCloseTo(1.3, 1);
    expect((regions[1]?.start ?? 0) / sr).toBeCloseTo(1.7, 1);
    expect(detectSoundRegions(audio, { minSilenceMs: 50 }).length).toBe(3);
    const trimmed = trimSilence(audio, { padMs: 50 });
    expect(durationMs(trimmed.audio)).toBeGreaterThan(1500);
    expect(durationMs(trimmed.audio)).toBeLessThan(1650);
    expect(trimmed.start / sr).toBeCloseTo(0.45, 1);
    expect(soundSpan(silence(sr, 1))).toBeNull();
    expect(trimSilence(silence(sr, 1)).audio.samples.length).toBe(0);
    expect(sliceAudio(audio, -5, 10).samples.length).toBe(10);
  });
});
