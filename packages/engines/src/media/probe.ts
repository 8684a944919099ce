/**
 * What a media file holds, read with ffprobe's JSON output. The parser is pure; `probeMedia` runs the tool.
 * A file ffprobe cannot read is MEDIA_INVALID (bad input), not a tool failure.
 */
import { MySpinBotError } from '@myspinbot/contracts';
import { fileArg } from './ffmpeg-args.js';
import { runMediaTool } from './run-media-tool.js';

export interface MediaStreamInfo {
  index: number;
  /** 'video', 'audio', 'subtitle', 'data', ... */
  codecType: string;
  /** e.g. 'h264', 'aac', 'pcm_s16le'. */
  codecName: string;
  width?: number;
  height?: number;
  pixelFormat?: string;
  /** Frames per second (from avg_frame_rate). */
  frameRate?: number;
  /** Number of frames when the container states it. */
  frameCount?: number;
  sampleRate?: number;
  channels?: number;
  durationMs?: number;
}

export interface MediaInfo {
  /** Container names as ffprobe reports them, e.g. 'mov,mp4,m4a,3gp,3g2,mj2'. */
  formatName: string;
  durationMs: number;
  sizeBytes?: number;
  bitRate?: number;
  streams: MediaStreamInfo[];
}

/** ffprobe arguments that print format and streams as JSON. */
export function buildProbeArgs(path: string): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-print_format',
    'json',
    '-show_format',
    '-show_streams',
    fileArg(path),
  ];
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** ffprobe prints most numbers as strings; accepts both. */
function numberField(source: Json, key: string): number | undefined {
  const value = source[key];
  const parsed = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(parsed) ? parsed : undefined;
}

function stringField(source: Json, key: string): string | undefined {
  const value = source[key];
  return typeof value === 'string' ? value : undefined;
}

/** Parses `num/den` rates; undefined for 0/0 or garbage. */
export function parseRational(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const [numText, denText] = text.split('/');
  const numerator = Number(numText);
  const denominator = denText === undefined ? 1 : Number(denText);
  if (!Number.isFinite(numerator) || !Number.isFinite(denominator) || denominator === 0) return undefined;
  const value = numerator / denominator;
  return value > 0 ? value : undefined;
}

function parseStream(raw: Json, position: number): MediaStreamInfo {
  const stream: MediaStreamInfo = {
    index: numberField(raw, 'index') ?? position,
    codecType: stringField(raw, 'codec_type') ?? 'unknown',
    codecName: stringField(raw, 'codec_name') ?? 'unknown',
  };
  const width = numberField(raw, 'width');
  const height = numberField(raw, 'height');
  if (width !== undefined) stream.width = width;
  if (height !== undefined) stream.height = height;
  const pixelFormat = stringField(raw, 'pix_fmt');
  if (pixelFormat !== undefined) stream.pixelFormat = pixelFormat;
  const frameRate = parseRational(stringField(raw, 'avg_frame_rate'));
  if (frameRate !== undefined && stream.codecType === 'video') stream.frameRate = frameRate;
  const frameCount = numberField(raw, 'nb_frames');
  if (frameCount !== undefined) stream.frameCount = frameCount;
  const sampleRate = numberField(raw, 'sample_rate');
  if (sampleRate !== undefined) stream.sampleRate = sampleRate;
  const channels = numberField(raw, 'channels');
  if (channels !== undefined) stream.channels = channels;
  const duration = numberField(raw, 'duration');
  if (duration !== undefined) stream.durationMs = Math.round(duration * 1000);
  return stream;
}

/** Parses ffprobe `-show_format -show_streams` JSON; MEDIA_INVALID when it is not that. */
export function parseProbeJson(text: string): MediaInfo {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new MySpinBotError('MEDIA_INVALID', 'ffprobe did not print JSON', { cause });
  }
  if (!isObject(parsed) || !isObject(parsed.format)) {
    throw new MySpinBotError('MEDIA_INVALID', 'ffprobe found no container format');
  }
  const format = parsed.format;
  const rawStreams = Array.isArray(parsed.streams) ? parsed.streams : [];
  const streams = rawStreams.filter(isObject).map(parseStream);
  const formatDuration = numberField(format, 'duration');
  const durationMs =
    formatDuration !== undefined
      ? Math.round(formatDuration * 1000)
      : Math.max(0, ...streams.map((s) => s.durationMs ?? 0));
  const info: MediaInfo = {
    formatName: stringField(format, 'format_name') ?? 'unknown',
    durationMs,
    streams,
  };
  const size = numberField(format, 'size');
  if (size !== undefined) info.sizeBytes = size;
  const bitRate = numberField(format, 'bit_rate');
  if (bitRate !== undefined) info.bitRate = bitRate;
  return info;
}

/** Probes a media file. MEDIA_INVALID when ffprobe cannot read it. */
export async function probeMedia(path: string, options: { signal?: AbortSignal } = {}): Promise<MediaInfo> {
  let stdout: Buffer;
  try {
    ({ stdout } = await runMediaTool('ffprobe', buildProbeArgs(path), {
      collectStdout: true,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    }));
  } catch (error) {
    if (error instanceof MySpinBotError && error.code === 'MEDIA_TOOL_FAILED') {
      throw new MySpinBotError('MEDIA_INVALID', `ffprobe could not read ${path}: ${error.message}`, {
        cause: error,
        details: error.details,
      });
    }
    throw error;
  }
  return parseProbeJson(stdout.toString('utf8'));
}
