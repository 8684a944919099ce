/**
 * Upload checks by content, never by name or declared type: a signature check, then a real decode.
 * Anything that fails is 415 UNSUPPORTED_MEDIA_TYPE (wrong kind) or MEDIA_INVALID (right kind, broken).
 */
import { MySpinBotError } from '@myspinbot/contracts';
import { readWavInfo } from '@myspinbot/engines/audio';
import sharp from 'sharp';

export interface ImageFacts {
  format: 'jpeg' | 'png' | 'webp';
  contentType: string;
  extension: string;
  width: number;
  height: number;
}

export interface AudioFacts {
  format: 'wav';
  contentType: string;
  extension: string;
  durationS: number;
  sampleRate: number;
  channels: number;
}

const MIN_SIDE = 64;
const MAX_SIDE = 8192;
const MIN_VOICE_S = 1;
const MAX_VOICE_S = 180;

/** The fixed rules of these checks, as GET /api/limits publishes them. */
export const UPLOAD_RULES = {
  imageTypes: ['image/jpeg', 'image/png', 'image/webp'],
  imageMinSide: MIN_SIDE,
  imageMaxSide: MAX_SIDE,
  voiceTypes: ['audio/wav'],
  voiceMinSeconds: MIN_VOICE_S,
  voiceMaxSeconds: MAX_VOICE_S,
} as const;

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  return signature.every((b, i) => bytes[offset + i] === b);
}

const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

export function sniffImage(bytes: Uint8Array): ImageFacts['format'] | null {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'webp';
  return null;
}

export function sniffAudio(bytes: Uint8Array): 'wav' | 'mp3' | 'ogg' | 'flac' | 'm4a' | null {
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WAVE'), 8)) return 'wav';
  if (startsWith(bytes, ascii('ID3')) || (bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe0) === 0xe0))
    return 'mp3';
  if (startsWith(bytes, ascii('OggS'))) return 'ogg';
  if (startsWith(bytes, ascii('fLaC'))) return 'flac';
  if (startsWith(bytes, ascii('ftyp'), 4)) return 'm4a';
  return null;
}

/** A portrait: JPEG, PNG or WebP that decodes completely, 64..8192 px a side. */
export async function inspectImage(bytes: Buffer): Promise<ImageFacts> {
  const format = sniffImage(bytes);
  if (!format) {
    throw new MySpinBotError(
      'UNSUPPORTED_MEDIA_TYPE',
      'the image must be a JPEG, PNG or WebP file (checked by content)',
    );
  }
  let width: number;
  let height: number;
  try {
    // A full decode (not only the header) with truncation treated as an error.
    const { info } = await sharp(bytes, { failOn: 'truncated', limitInputPixels: MAX_SIDE * MAX_SIDE })
      .resize(32, 32, { fit: 'inside' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const meta = await sharp(bytes).metadata();
    width = meta.autoOrient?.width ?? meta.width ?? info.width;
    height = meta.autoOrient?.height ?? meta.height ?? info.height;
  } catch (error) {
    throw new MySpinBotError('MEDIA_INVALID', `the image could not be decoded: ${(error as Error).message}`);
  }
  if (Math.min(width, height) < MIN_SIDE || Math.max(width, height) > MAX_SIDE) {
    throw new MySpinBotError(
      'MEDIA_INVALID',
      `the image is ${width}x${height}; each side must be ${MIN_SIDE}..${MAX_SIDE} px`,
    );
  }
  const contentType = format === 'jpeg' ? 'image/jpeg' : `image/${format}`;
  return { format, contentType, extension: format === 'jpeg' ? 'jpg' : format, width, height };
}

/** A voice sample: a PCM or float WAV of 1..180 s. */
export function inspectVoice(bytes: Buffer): AudioFacts {
  const format = sniffAudio(bytes);
  if (format === null) {
    throw new MySpinBotError(
      'UNSUPPORTED_MEDIA_TYPE',
      'the voice sample must be a WAV file (checked by content)',
    );
  }
  if (format !== 'wav') {
    throw new MySpinBotError(
      'UNSUPPORTED_MEDIA_TYPE',
      `the voice sample is ${format.toUpperCase()}; upload it as WAV (PCM 16/24/32-bit or float)`,
    );
  }
  let info: ReturnType<typeof readWavInfo>;
  try {
    info = readWavInfo(bytes);
  } catch (error) {
    throw new MySpinBotError(
      'MEDIA_INVALID',
      `the voice sample could not be read: ${(error as Error).message}`,
    );
  }
  const durationS = info.frames / info.sampleRate;
  if (durationS < MIN_VOICE_S || durationS > MAX_VOICE_S) {
    throw new MySpinBotError(
      'MEDIA_INVALID',
      `the voice sample lasts ${durationS.toFixed(1)} s; it must last ${MIN_VOICE_S}..${MAX_VOICE_S} s`,
    );
  }
  return {
    format,
    contentType: 'audio/wav',
    extension: 'wav',
    durationS,
    sampleRate: info.sampleRate,
    channels: info.channels,
  };
}
