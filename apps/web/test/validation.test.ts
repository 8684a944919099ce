// @vitest-environment jsdom
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../lib/config';
import {
  checkPortrait,
  checkPrompt,
  checkVoiceSample,
  checkVoiceText,
  imageKinds,
  imageSize,
  sniffImage,
  wavDuration,
} from '../lib/validation';

const TESTDATA = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'testdata');

const solid = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 120, b: 80 } } });

const file = (bytes: Uint8Array<ArrayBuffer>, name: string, type = '') => new File([bytes], name, { type });

/** A PCM WAV of `seconds` of silence (16-bit mono), optionally with a LIST chunk before the data. */
function wav(seconds: number, sampleRate = 16_000, withList = false): Uint8Array<ArrayBuffer> {
  const dataBytes = Math.round(seconds * sampleRate) * 2;
  const list = withList ? 12 : 0;
  const buffer = Buffer.alloc(44 + list + dataBytes);
  buffer.write('RIFF', 0, 'ascii');
  buffer.writeUInt32LE(36 + list + dataBytes, 4);
  buffer.write('WAVE', 8, 'ascii');
  buffer.write('fmt ', 12, 'ascii');
  buffer.writeUInt32LE(16, 16);
  buffer.writeUInt16LE(1, 20);
  buffer.writeUInt16LE(1, 22);
  buffer.writeUInt32LE(sampleRate, 24);
  buffer.writeUInt32LE(sampleRate * 2, 28);
  buffer.writeUInt16LE(2, 32);
  buffer.writeUInt16LE(16, 34);
  let offset = 36;
  if (withList) {
    buffer.write('LIST', offset, 'ascii');
    buffer.writeUInt32LE(4, offset + 4);
    buffer.write('INFO', offset + 8, 'ascii');
    offset += 12;
  }
  buffer.write('data', offset, 'ascii');
  buffer.writeUInt32LE(dataBytes, offset + 4);
  return new Uint8Array(buffer);
}

describe('portrait checks', () => {
  it('reads the format and size of real JPEG, PNG and WebP files by content', async () => {
    const cases = [
      { bytes: await solid(300, 200).jpeg().toBuffer(), format: 'jpeg' },
      { bytes: await solid(300, 200).jpeg({ progressive: true }).withMetadata().toBuffer(), format: 'jpeg' },
      { bytes: await solid(300, 200).png().toBuffer(), format: 'png' },
      { bytes: await solid(300, 200).webp().toBuffer(), format: 'webp' },
      { bytes: await solid(300, 200).webp({ lossless: true }).toBuffer(), format: 'webp' },
      { bytes: await solid(300, 200).ensureAlpha(0.5).webp().toBuffer(), format: 'webp' },
    ] as const;
    for (const { bytes, format } of cases) {
      const data = new Uint8Array(bytes);
      expect(sniffImage(data)).toBe(format);
      expect(imageSize(data, format)).toEqual({ width: 300, height: 200 });
      // Named as something else: the content decides.
      await expect(checkPortrait(file(data, 'portrait.txt', 'text/plain'))).resolves.toEqual({
        ok: true,
        format,
        width: 300,
        height: 200,
      });
    }
  });

  it('accepts the test portrait', async () => {
    const bytes = new Uint8Array(readFileSync(join(TESTDATA, 'carl_jung.jpg')));
    await expect(checkPortrait(file(bytes, 'carl_jung.jpg'))).resolves.toEqual({
      ok: true,
      format: 'jpeg',
      width: 512,
      height: 512,
    });
  });

  it('refuses other kinds, damaged headers, sizes out of 64..8192 px and files over 15 MiB', async () => {
    const gif = new Uint8Array(Buffer.from('GIF89a\x01\x00\x01\x00', 'binary'));
    expect(await checkPortrait(file(gif, 'photo.jpg', 'image/jpeg'))).toEqual({
      ok: false,
      message: 'The image must be a JPEG, PNG or WebP file.',
    });
    const cut = new Uint8Array((await solid(300, 200).jpeg().withMetadata().toBuffer()).subarray(0, 30));
    expect(await checkPortrait(file(cut, 'cut.jpg'))).toMatchObject({
      ok: false,
      message: expect.stringMatching(/damaged/),
    });
    const thin = new Uint8Array(await solid(40, 500).png().toBuffer());
    expect(await checkPortrait(file(thin, 'thin.png'))).toEqual({
      ok: false,
      message: 'The image is 40×500 px; each side must be 64–8192 px.',
    });
    const wide = new Uint8Array(await solid(9000, 64).png({ compressionLevel: 9 }).toBuffer());
    expect(await checkPortrait(file(wide, 'wide.png'))).toMatchObject({
      ok: false,
      message: 'The image is 9000×64 px; each side must be 64–8192 px.',
    });
    const huge = new Uint8Array(15 * 1024 * 1024 + 1);
    huge.set([0xff, 0xd8, 0xff]);
    expect(await checkPortrait(file(huge, 'huge.jpg'))).toEqual({
      ok: false,
      message: 'The image is 15.0 MiB; the limit is 15 MiB.',
    });
    expect(await checkPortrait(file(new Uint8Array(0), 'empty.jpg'))).toEqual({
      ok: false,
      message: 'The image file is empty.',
    });
  });
});

describe('voice sample checks', () => {
  it('measures WAV files, including the real sample and files with extra chunks', async () => {
    expect(wavDuration(wav(2))).toBeCloseTo(2, 5);
    expect(wavDuration(wav(2.5, 48_000, true))).toBeCloseTo(2.5, 5);
    const real = new Uint8Array(readFileSync(join(TESTDATA, 'carl_jung.wav')));
    const result = await checkVoiceSample(file(real, 'carl_jung.wav'));
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.durationS).toBeGreaterThan(8);
  });

  it('refuses other formats, samples out of 1..180 s, damaged headers and files over 30 MiB', async () => {
    const mp3 = new Uint8Array(Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x00', 'binary'));
    expect(await checkVoiceSample(file(mp3, 'voice.wav'))).toEqual({
      ok: false,
      message: 'The voice sample must be a WAV file (PCM or float).',
    });
    expect(await checkVoiceSample(file(wav(0.5), 'short.wav'))).toEqual({
      ok: false,
      message: 'The voice sample lasts 0.5 s; it must last 1–180 s.',
    });
    expect(await checkVoiceSample(file(wav(181, 8000), 'long.wav'))).toMatchObject({ ok: false });
    expect(await checkVoiceSample(file(wav(2).subarray(0, 20), 'cut.wav'))).toEqual({
      ok: false,
      message: 'The WAV file is damaged: its header cannot be read.',
    });
    const huge = new Uint8Array(30 * 1024 * 1024 + 1);
    huge.set(wav(1).subarray(0, 44));
    expect(await checkVoiceSample(file(huge, 'huge.wav'))).toEqual({
      ok: false,
      message: 'The voice sample is 30.0 MiB; the limit is 30 MiB.',
    });
  });
});

describe('text checks', () => {
  it('needs a prompt of at most 4000 characters, counted after trimming as the server does', () => {
    expect(checkPrompt('   ')).toMatch(/Write a prompt/);
    expect(checkPrompt(`  ${'a'.repeat(4000)}  `)).toBeNull();
    expect(checkPrompt('a'.repeat(4001))).toBe('The prompt has 4001 characters; the limit is 4000.');
  });

  it('takes a transcript only with a voice sample, up to 4000 characters', () => {
    expect(checkVoiceText('', false)).toBeNull();
    expect(checkVoiceText('hello', false)).toBe('A transcript needs a voice sample.');
    expect(checkVoiceText('hello', true)).toBeNull();
    expect(checkVoiceText('a'.repeat(4001), true)).toMatch(/limit is 4000/);
  });
});

describe('checks with the limits of a deployment', () => {
  const limits = {
    ...DEFAULT_LIMITS,
    imageTypes: ['image/png'],
    promptChars: 10,
    voiceTextChars: 5,
    voiceBytes: 512 * 1024,
  };

  it('refuses kinds the server does not accept and counts against its numbers', async () => {
    const jpeg = new Blob([new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0, 0, 0, 0, 0, 0])]);
    expect(await checkPortrait(jpeg, limits)).toEqual({
      ok: false,
      message: 'The image must be a PNG file.',
    });
    expect(imageKinds(DEFAULT_LIMITS)).toBe('JPEG, PNG or WebP');
    expect(checkPrompt('eleven char', limits)).toBe('The prompt has 11 characters; the limit is 10.');
    expect(checkPrompt('ten chars!', limits)).toBeNull();
    expect(checkVoiceText('six ch', true, limits)).toBe('The transcript has 6 characters; the limit is 5.');
    const big = new Blob([new Uint8Array(600 * 1024)]);
    expect(await checkVoiceSample(big, limits)).toEqual({
      ok: false,
      message: 'The voice sample is 600 KiB; the limit is 512 KiB.',
    });
  });
});
