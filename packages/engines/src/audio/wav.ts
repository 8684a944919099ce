/**
 * RIFF/WAVE encoding and decoding. Decoding accepts integer PCM (8-bit unsigned, 16/24/32-bit signed) and
 * IEEE float (32/64-bit), plain or WAVE_FORMAT_EXTENSIBLE, any channel count; the result is downmixed to mono
 * by averaging the channels. Encoding writes mono PCM16 or float32.
 */
import { MySpinBotError } from '@myspinbot/contracts';
import type { PcmAudio } from '../types.js';

const FORMAT_PCM = 0x0001;
const FORMAT_FLOAT = 0x0003;
const FORMAT_EXTENSIBLE = 0xfffe;
/** The data-chunk size streaming writers put in the header when the length is unknown. */
const UNKNOWN_SIZE = 0xffffffff;

export type WavSampleFormat = 'pcm16' | 'float32';

/** What the fmt chunk of a WAV file says. */
export interface WavInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  encoding: 'pcm' | 'float';
  /** Sample frames (one sample per channel) in the data chunk. */
  frames: number;
}

/** A decoded WAV with its channels kept apart. */
export interface DecodedWav {
  info: WavInfo;
  channels: Float32Array[];
}

function invalid(message: string): MySpinBotError {
  return new MySpinBotError('NODE_INPUT_INVALID', `Invalid WAV: ${message}`);
}

function fourcc(view: DataView, offset: number): string {
  return String.fromCharCode(
    view.getUint8(offset),
    view.getUint8(offset + 1),
    view.getUint8(offset + 2),
    view.getUint8(offset + 3),
  );
}

interface FmtChunk {
  formatTag: number;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  bitsPerSample: number;
}

function readFmt(view: DataView, offset: number, size: number): FmtChunk {
  if (size < 16) throw invalid(`fmt chunk is ${size} bytes (at least 16 expected)`);
  let formatTag = view.getUint16(offset, true);
  const channels = view.getUint16(offset + 2, true);
  const sampleRate = view.getUint32(offset + 4, true);
  const blockAlign = view.getUint16(offset + 12, true);
  const bitsPerSample = view.getUint16(offset + 14, true);
  if (formatTag === FORMAT_EXTENSIBLE) {
    // The sub-format GUID starts 24 bytes into the chunk; its first two bytes are the real format tag.
    if (size < 40) throw invalid('WAVE_FORMAT_EXTENSIBLE fmt chunk is shorter than 40 bytes');
    formatTag = view.getUint16(offset + 24, true);
  }
  return { formatTag, channels, sampleRate, blockAlign, bitsPerSample };
}

/** Parses the header and returns the fmt facts plus where the sample data sits. */
function locate(bytes: Uint8Array): { fmt: FmtChunk; dataOffset: number; dataSize: number } {
  if (bytes.byteLength < 12) throw invalid(`only ${bytes.byteLength} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (fourcc(view, 0) !== 'RIFF' || fourcc(view, 8) !== 'WAVE') throw invalid('no RIFF/WAVE header');
  let fmt: FmtChunk | undefined;
  let offset = 12;
  while (offset + 8 <= bytes.byteLength) {
    const id = fourcc(view, offset);
    const declared = view.getUint32(offset + 4, true);
    const bodyOffset = offset + 8;
    const remaining = bytes.byteLength - bodyOffset;
    if (id === 'fmt ') {
      fmt = readFmt(view, bodyOffset, Math.min(declared, remaining));
    } else if (id === 'data') {
      if (fmt === undefined) throw invalid('data chunk before fmt chunk');
      // Streamed files carry an unknown (0xFFFFFFFF) or too large size: the data then runs to the end.
      const dataSize = declared === UNKNOWN_SIZE || declared > remaining ? remaining : declared;
      return { fmt, dataOffset: bodyOffset, dataSize };
    }
    // Chunks are word-aligned: an odd-sized chunk is followed by one pad byte.
    offset = bodyOffset + declared + (declared % 2);
  }
  throw invalid(fmt === undefined ? 'no fmt chunk' : 'no data chunk');
}

type SampleReader = (view: DataView, offset: number) => number;

function readerFor(fmt: FmtChunk): SampleReader {
  const { formatTag, bitsPerSample } = fmt;
  if (formatTag === FORMAT_PCM) {
    switch (bitsPerSample) {
      case 8:
        return (view, offset) => (view.getUint8(offset) - 128) / 128;
      case 16:
        return (view, offset) => view.getInt16(offset, true) / 32768;
      case 24:
        return (view, offset) => {
          const value =
            view.getUint8(offset) | (view.getUint8(offset + 1) << 8) | (view.getInt8(offset + 2) << 16);
          return value / 8388608;
        };
      case 32:
        return (view, offset) => view.getInt32(offset, true) / 2147483648;
      default:
        throw invalid(`${bitsPerSample}-bit integer PCM is not supported`);
    }
  }
  if (formatTag === FORMAT_FLOAT) {
    if (bitsPerSample === 32) return (view, offset) => view.getFloat32(offset, true);
    if (bitsPerSample === 64) return (view, offset) => view.getFloat64(offset, true);
    throw invalid(`${bitsPerSample}-bit float is not supported`);
  }
  throw invalid(`format tag 0x${formatTag.toString(16)} is not PCM or IEEE float`);
}

/** Decodes a WAV file keeping every channel. Throws NODE_INPUT_INVALID on anything it cannot read. */
export function decodeWavChannels(bytes: Uint8Array): DecodedWav {
  const { fmt, dataOffset, dataSize } = locate(bytes);
  if (fmt.channels < 1) throw invalid('zero channels');
  if (fmt.sampleRate < 1) throw invalid('zero sample rate');
  const bytesPerSample = fmt.bitsPerSample / 8;
  if (!Number.isInteger(bytesPerSample)) throw invalid(`${fmt.bitsPerSample} bits per sample`);
  const frameBytes = bytesPerSample * fmt.channels;
  // Some writers leave blockAlign wrong; the frame size follows from channels and sample width.
  if (fmt.blockAlign !== 0 && fmt.blockAlign < frameBytes)
    throw invalid(`blockAlign ${fmt.blockAlign} too small`);
  const stride = Math.max(fmt.blockAlign, frameBytes);
  const read = readerFor(fmt);
  const frames = Math.floor(dataSize / stride);
  const view = new DataView(bytes.buffer, bytes.byteOffset + dataOffset, dataSize);
  const channels: Float32Array[] = [];
  for (let c = 0; c < fmt.channels; c++) {
    const channel = new Float32Array(frames);
    for (let i = 0; i < frames; i++) channel[i] = read(view, i * stride + c * bytesPerSample);
    channels.push(channel);
  }
  return {
    info: {
      sampleRate: fmt.sampleRate,
      channels: fmt.channels,
      bitsPerSample: fmt.bitsPerSample,
      encoding: fmt.formatTag === FORMAT_FLOAT ? 'float' : 'pcm',
      frames,
    },
    channels,
  };
}

/** Averages channels into one. */
export function downmix(channels: readonly Float32Array[]): Float32Array {
  const first = channels[0];
  if (first === undefined) return new Float32Array(0);
  if (channels.length === 1) return first;
  const out = new Float32Array(first.length);
  for (const channel of channels) {
    for (let i = 0; i < out.length; i++) out[i] = (out[i] ?? 0) + (channel[i] ?? 0);
  }
  const scale = 1 / channels.length;
  for (let i = 0; i < out.length; i++) out[i] = (out[i] ?? 0) * scale;
  return out;
}

/** Decodes a WAV file to mono (channels averaged). Throws NODE_INPUT_INVALID on anything it cannot read. */
export function decodeWav(bytes: Uint8Array): PcmAudio {
  const decoded = decodeWavChannels(bytes);
  return { sampleRate: decoded.info.sampleRate, samples: downmix(decoded.channels) };
}

/** Reads only the header facts of a WAV file. */
export function readWavInfo(bytes: Uint8Array): WavInfo {
  const { fmt, dataSize } = locate(bytes);
  const frameBytes = (fmt.bitsPerSample / 8) * fmt.channels;
  const stride = Math.max(fmt.blockAlign, frameBytes);
  return {
    sampleRate: fmt.sampleRate,
    channels: fmt.channels,
    bitsPerSample: fmt.bitsPerSample,
    encoding: fmt.formatTag === FORMAT_FLOAT ? 'float' : 'pcm',
    frames: stride > 0 ? Math.floor(dataSize / stride) : 0,
  };
}

/**
 * Encodes mono audio as a canonical 44-byte-header WAV. PCM16 uses the same scale as decoding (value *
 * 32768, rounded, clamped to -32768..32767), so a decode/encode round trip is lossless and an
 * encode/decode round trip is within half a step; float32 stores the samples as they are.
 */
export function encodeWav(audio: PcmAudio, options: { format?: WavSampleFormat } = {}): Buffer {
  const format = options.format ?? 'pcm16';
  const { samples } = audio;
  const sampleRate = Math.round(audio.sampleRate);
  if (!(sampleRate > 0))
    throw new MySpinBotError('NODE_INPUT_INVALID', `Cannot encode sample rate ${audio.sampleRate}`);
  const bytesPerSample = format === 'pcm16' ? 2 : 4;
  const dataSize = samples.length * bytesPerSample;
  const out = Buffer.alloc(44 + dataSize);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + dataSize, 4);
  out.write('WAVE', 8, 'ascii');
  out.write('fmt ', 12, 'ascii');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(format === 'pcm16' ? FORMAT_PCM : FORMAT_FLOAT, 20);
  out.writeUInt16LE(1, 22);
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * bytesPerSample, 28);
  out.writeUInt16LE(bytesPerSample, 32);
  out.writeUInt16LE(bytesPerSample * 8, 34);
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(dataSize, 40);
  if (format === 'pcm16') {
    for (let i = 0; i < samples.length; i++) {
      const raw = samples[i] ?? 0;
      // Non-finite samples (NaN, Infinity) are written as silence.
      const value = Number.isFinite(raw) ? Math.max(-1, Math.min(1, raw)) : 0;
      out.writeInt16LE(Math.min(32767, Math.round(value * 32768)), 44 + i * 2);
    }
  } else {
    for (let i = 0; i < samples.length; i++) out.writeFloatLE(samples[i] ?? 0, 44 + i * 4);
  }
  return out;
}
