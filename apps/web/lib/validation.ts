/**
 * Client-side checks that match the API's (packages/server/src/control/uploads/inspect.ts, routes/train.ts):
 * file kinds by content signature, never by name; sizes; image sides; voice sample length; text lengths.
 * The numbers are the server's (GET /api/limits; DEFAULT_LIMITS until it answers). The server checks
 * everything again; these only spare users a round trip.
 */
import { DEFAULT_LIMITS, type UploadLimits } from './config';

export type ImageFormat = 'jpeg' | 'png' | 'webp';

export type PortraitCheck =
  | { ok: true; format: ImageFormat; width: number; height: number }
  | { ok: false; message: string };

export type VoiceCheck = { ok: true; durationS: number } | { ok: false; message: string };

const MiB = 1024 * 1024;

/** A size for limits and messages: MiB, or KiB under 1 MiB (a deployment may set small limits). */
export function formatMiB(bytes: number): string {
  const [value, unit] = bytes < MiB ? [bytes / 1024, 'KiB'] : [bytes / MiB, 'MiB'];
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`;
}

/** The bytes of a file (FileReader works in every browser and in jsdom). */
export function readBytes(blob: Blob): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const result = reader.result;
      if (result instanceof ArrayBuffer) resolve(new Uint8Array(result));
      else reject(new Error('the file could not be read'));
    };
    reader.onerror = () => reject(reader.error ?? new Error('the file could not be read'));
    reader.readAsArrayBuffer(blob);
  });
}

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  return signature.every((b, i) => bytes[offset + i] === b);
}

const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

export function sniffImage(bytes: Uint8Array): ImageFormat | null {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'webp';
  return null;
}

export function isWav(bytes: Uint8Array): boolean {
  return startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WAVE'), 8);
}

const byteAt = (bytes: Uint8Array, i: number): number => bytes[i] ?? 0;
const be16 = (bytes: Uint8Array, i: number): number => (byteAt(bytes, i) << 8) | byteAt(bytes, i + 1);
const be32 = (bytes: Uint8Array, i: number): number => be16(bytes, i) * 0x10000 + be16(bytes, i + 2);
const le16 = (bytes: Uint8Array, i: number): number => byteAt(bytes, i) | (byteAt(bytes, i + 1) << 8);
const le24 = (bytes: Uint8Array, i: number): number => le16(bytes, i) | (byteAt(bytes, i + 2) << 16);
const le32 = (bytes: Uint8Array, i: number): number => le16(bytes, i) + le16(bytes, i + 2) * 0x10000;

function jpegSize(bytes: Uint8Array): { width: number; height: number } | null {
  let offset = 2;
  while (offset + 9 < bytes.length) {
    if (bytes[offset] !== 0xff) return null;
    const marker = byteAt(bytes, offset + 1);
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    // Markers without a length: TEM, RSTn, SOI, EOI.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9)) {
      offset += 2;
      continue;
    }
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) return { height: be16(bytes, offset + 5), width: be16(bytes, offset + 7) };
    offset += 2 + be16(bytes, offset + 2);
  }
  return null;
}

function webpSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (startsWith(bytes, ascii('VP8X'), 12))
    return { width: le24(bytes, 24) + 1, height: le24(bytes, 27) + 1 };
  if (startsWith(bytes, ascii('VP8 '), 12) && startsWith(bytes, [0x9d, 0x01, 0x2a], 23))
    return { width: le16(bytes, 26) & 0x3fff, height: le16(bytes, 28) & 0x3fff };
  if (startsWith(bytes, ascii('VP8L'), 12) && bytes[20] === 0x2f) {
    const b1 = byteAt(bytes, 21);
    const b2 = byteAt(bytes, 22);
    const b3 = byteAt(bytes, 23);
    const b4 = byteAt(bytes, 24);
    return {
      width: 1 + (((b2 & 0x3f) << 8) | b1),
      height: 1 + (((b4 & 0x0f) << 10) | (b3 << 2) | ((b2 & 0xc0) >> 6)),
    };
  }
  return null;
}

/** Width and height from the image header (no decode). */
export function imageSize(bytes: Uint8Array, format: ImageFormat): { width: number; height: number } | null {
  if (format === 'png')
    return startsWith(bytes, ascii('IHDR'), 12) ? { width: be32(bytes, 16), height: be32(bytes, 20) } : null;
  if (format === 'jpeg') return jpegSize(bytes);
  return webpSize(bytes);
}

const IMAGE_TYPES: Record<ImageFormat, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

/** The image kinds the limits accept, for messages: "JPEG, PNG or WebP". */
export function imageKinds(limits: UploadLimits = DEFAULT_LIMITS): string {
  const names = (Object.keys(IMAGE_TYPES) as ImageFormat[])
    .filter((f) => limits.imageTypes.includes(IMAGE_TYPES[f]))
    .map((f) => (f === 'webp' ? 'WebP' : f.toUpperCase()));
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : (names[0] ?? 'image');
}

/** A portrait: an accepted kind (JPEG, PNG or WebP by content), within the size and side limits. */
export async function checkPortrait(
  file: Blob,
  limits: UploadLimits = DEFAULT_LIMITS,
): Promise<PortraitCheck> {
  if (file.size === 0) return { ok: false, message: 'The image file is empty.' };
  if (file.size > limits.imageBytes) {
    return {
      ok: false,
      message: `The image is ${formatMiB(file.size)}; the limit is ${formatMiB(limits.imageBytes)}.`,
    };
  }
  let bytes: Uint8Array;
  try {
    bytes = await readBytes(file);
  } catch {
    return { ok: false, message: 'The image file could not be read.' };
  }
  const format = sniffImage(bytes);
  if (!format || !limits.imageTypes.includes(IMAGE_TYPES[format]))
    return { ok: false, message: `The image must be a ${imageKinds(limits)} file.` };
  const size = imageSize(bytes, format);
  if (!size || size.width === 0 || size.height === 0)
    return { ok: false, message: `The ${format.toUpperCase()} file is damaged: its size cannot be read.` };
  const { width, height } = size;
  if (Math.min(width, height) < limits.imageMinSide || Math.max(width, height) > limits.imageMaxSide) {
    return {
      ok: false,
      message: `The image is ${width}×${height} px; each side must be ${limits.imageMinSide}–${limits.imageMaxSide} px.`,
    };
  }
  return { ok: true, format, width, height };
}

/** Seconds of sound in a WAV file, from its fmt and data chunks; null when the header cannot be read. */
export function wavDuration(bytes: Uint8Array): number | null {
  let byteRate = 0;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const size = le32(bytes, offset + 4);
    if (startsWith(bytes, ascii('fmt '), offset)) byteRate = le32(bytes, offset + 16);
    if (startsWith(bytes, ascii('data'), offset)) {
      if (byteRate === 0) return null;
      // Streamed WAVs may carry a placeholder size: count what is there.
      const available = Math.min(size, bytes.length - offset - 8);
      return available / byteRate;
    }
    offset += 8 + size + (size % 2);
  }
  return null;
}

/** A voice sample: WAV by content, within the size and length limits. */
export async function checkVoiceSample(
  file: Blob,
  limits: UploadLimits = DEFAULT_LIMITS,
): Promise<VoiceCheck> {
  if (file.size === 0) return { ok: false, message: 'The voice sample is empty.' };
  if (file.size > limits.voiceBytes) {
    return {
      ok: false,
      message: `The voice sample is ${formatMiB(file.size)}; the limit is ${formatMiB(limits.voiceBytes)}.`,
    };
  }
  let bytes: Uint8Array;
  try {
    bytes = await readBytes(file);
  } catch {
    return { ok: false, message: 'The voice sample could not be read.' };
  }
  if (!isWav(bytes) || !limits.voiceTypes.includes('audio/wav'))
    return { ok: false, message: 'The voice sample must be a WAV file (PCM or float).' };
  const durationS = wavDuration(bytes);
  if (durationS === null)
    return { ok: false, message: 'The WAV file is damaged: its header cannot be read.' };
  if (durationS < limits.voiceMinSeconds || durationS > limits.voiceMaxSeconds) {
    return {
      ok: false,
      message: `The voice sample lasts ${durationS.toFixed(1)} s; it must last ${limits.voiceMinSeconds}–${limits.voiceMaxSeconds} s.`,
    };
  }
  return { ok: true, durationS };
}

/** The problem with a prompt, or null. The server trims before it counts. */
export function checkPrompt(prompt: string, limits: UploadLimits = DEFAULT_LIMITS): string | null {
  const length = prompt.trim().length;
  if (length === 0) return 'Write a prompt: what should the portrait say?';
  if (length > limits.promptChars)
    return `The prompt has ${length} characters; the limit is ${limits.promptChars}.`;
  return null;
}

/** The problem with a voice transcript, or null. */
export function checkVoiceText(
  text: string,
  hasVoice: boolean,
  limits: UploadLimits = DEFAULT_LIMITS,
): string | null {
  const length = text.trim().length;
  if (length > 0 && !hasVoice) return 'A transcript needs a voice sample.';
  if (length > limits.voiceTextChars)
    return `The transcript has ${length} characters; the limit is ${limits.voiceTextChars}.`;
  return null;
}
