/**
 * Pure builders of ffmpeg argument lists. Every encode the engines run is described here as data, so the
 * exact command is unit-tested and the spawn helper never assembles arguments itself.
 * Rules kept: inputs are listed before outputs; the rawvideo input always reads from `pipe:0`; text that
 * ends up inside a filtergraph (subtitle paths) is escaped for both filtergraph levels; output MP4s are
 * H.264 yuv420p + AAC with `+faststart` so browsers can play them while downloading.
 */

/** Pixel layouts the rawvideo input accepts. */
export type RawPixelFormat = 'rgb24' | 'rgba' | 'yuv420p';

/** x264 speed/size trade-offs (slower = smaller file at the same quality). */
export type X264Preset =
  | 'ultrafast'
  | 'superfast'
  | 'veryfast'
  | 'faster'
  | 'fast'
  | 'medium'
  | 'slow'
  | 'slower'
  | 'veryslow';

export interface H264Options {
  /** Constant rate factor, 0 (lossless) .. 51; 18-23 is visually good. Default 20. */
  crf?: number;
  /** Default 'veryfast'. */
  preset?: X264Preset;
  /** Encoder threads; 0 lets x264 decide. Fixing it makes the output bytes reproducible. Default 0. */
  threads?: number;
  /** Keyframe interval in frames. Default: 2 s of video. */
  keyframeInterval?: number;
}

/** Audio to mux: a file ffmpeg can read, or raw mono/multi-channel float32 little-endian samples. */
export type AudioInput =
  | { kind: 'file'; path: string }
  | { kind: 'rawFloat32'; path: string; sampleRate: number; channels?: number };

export interface RawVideoEncodeOptions {
  /** Frames arriving on stdin. */
  video: { pixelFormat: RawPixelFormat; width: number; height: number; fps: number };
  audio: AudioInput;
  outPath: string;
  /** Scale the frames to this size before encoding (even numbers). */
  scale?: { width: number; height: number };
  /** Burn in an ASS/SSA (or SRT) subtitle file. */
  subtitles?: { path: string; filter?: 'subtitles' | 'ass'; fontsDir?: string };
  h264?: H264Options;
  /** AAC bitrate. Default 128 kb/s. */
  audioBitrateKbps?: number;
  /** Emit `-progress pipe:1` key=value blocks on stdout. Default true. */
  progress?: boolean;
  /** How many frames ffmpeg may queue from stdin while the encoder is busy. Default 64. */
  inputQueueFrames?: number;
  /**
   * Colour matrix of the output, written into the H.264 stream. yuv420p input is taken to be in it
   * already; RGB input is converted with it. Default 'bt709' (limited range).
   */
  colorMatrix?: 'bt709' | 'bt601';
}

export interface StillImageEncodeOptions {
  imagePath: string;
  audio: AudioInput;
  outPath: string;
  durationMs: number;
  fps: number;
  /** Output size; the image is scaled to it. */
  width: number;
  height: number;
  h264?: H264Options;
  audioBitrateKbps?: number;
  progress?: boolean;
}

function assertPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer`);
}

function assertEvenSize(width: number, height: number): void {
  assertPositiveInteger('width', width);
  assertPositiveInteger('height', height);
  if (width % 2 !== 0 || height % 2 !== 0) {
    throw new RangeError(`yuv420p needs an even width and height, got ${width}x${height}`);
  }
}

/**
 * A file path as an ffmpeg URL: the `file:` protocol prefix keeps a name that starts with `-` from being read
 * as an option and one that contains `:` from being read as another protocol.
 */
export function fileArg(path: string): string {
  return `file:${path}`;
}

/** Formats a number for the command line without exponent notation or float noise. */
function num(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 1e6) / 1e6);
}

/**
 * Escapes a value for a filter option (level 1: `\`, `'` and `:` are special), then for the filtergraph
 * (level 2: `\`, `'`, `[`, `]`, `,` and `;` are special). The result can be spliced into `name=key=VALUE`.
 */
export function escapeFilterValue(value: string): string {
  const level1 = value.replace(/[\\':]/g, (char) => `\\${char}`);
  return level1.replace(/[\\'[\],;]/g, (char) => `\\${char}`);
}

/**
 * The `-vf` chain: optional scale and/or RGB -> YUV conversion with an explicit colour matrix, then optional
 * subtitle burn-in (subtitles render at the final size).
 */
export function buildVideoFilter(options: {
  scale?: { width: number; height: number };
  /** Convert RGB input with this matrix (limited range). */
  convertMatrix?: 'bt709' | 'bt601';
  subtitles?: { path: string; filter?: 'subtitles' | 'ass'; fontsDir?: string };
}): string | undefined {
  const filters: string[] = [];
  const scaleArgs: string[] = [];
  if (options.scale !== undefined) {
    assertEvenSize(options.scale.width, options.scale.height);
    scaleArgs.push(`${options.scale.width}:${options.scale.height}`, 'flags=bicubic');
  }
  if (options.convertMatrix !== undefined) {
    scaleArgs.push(`out_color_matrix=${options.convertMatrix}`, 'out_range=tv');
  }
  if (scaleArgs.length > 0) filters.push(`scale=${scaleArgs.join(':')}`);
  if (options.subtitles !== undefined) {
    const name = options.subtitles.filter ?? 'subtitles';
    let filter = `${name}=filename=${escapeFilterValue(options.subtitles.path)}`;
    if (options.subtitles.fontsDir !== undefined) {
      filter += `:fontsdir=${escapeFilterValue(options.subtitles.fontsDir)}`;
    }
    filters.push(filter);
  }
  return filters.length === 0 ? undefined : filters.join(',');
}

/** ffmpeg input arguments for an audio source. */
export function buildAudioInputArgs(audio: AudioInput): string[] {
  if (audio.kind === 'file') return ['-i', fileArg(audio.path)];
  assertPositiveInteger('sampleRate', audio.sampleRate);
  const channels = audio.channels ?? 1;
  assertPositiveInteger('channels', channels);
  return ['-f', 'f32le', '-ar', String(audio.sampleRate), '-ac', String(channels), '-i', fileArg(audio.path)];
}

/** Output arguments for H.264 yuv420p video. */
export function buildH264Args(options: H264Options, fps: number): string[] {
  const crf = options.crf ?? 20;
  if (!(crf >= 0 && crf <= 51)) throw new RangeError('crf must be within 0..51');
  const keyint = options.keyframeInterval ?? Math.max(1, Math.round(fps * 2));
  assertPositiveInteger('keyframeInterval', keyint);
  const threads = options.threads ?? 0;
  if (!Number.isInteger(threads) || threads < 0)
    throw new RangeError('threads must be a non-negative integer');
  return [
    '-c:v',
    'libx264',
    '-preset',
    options.preset ?? 'veryfast',
    '-crf',
    num(crf),
    '-g',
    String(keyint),
    '-pix_fmt',
    'yuv420p',
    '-threads',
    String(threads),
  ];
}

/** Tags the output stream with its colour matrix, primaries, transfer and (limited) range. */
export function buildColorTagArgs(matrix: 'bt709' | 'bt601'): string[] {
  const primaries = matrix === 'bt709' ? 'bt709' : 'smpte170m';
  const space = matrix === 'bt709' ? 'bt709' : 'smpte170m';
  return ['-colorspace', space, '-color_primaries', primaries, '-color_trc', primaries, '-color_range', 'tv'];
}

function buildAudioOutputArgs(bitrateKbps: number | undefined): string[] {
  const kbps = bitrateKbps ?? 128;
  assertPositiveInteger('audioBitrateKbps', kbps);
  return ['-c:a', 'aac', '-b:a', `${kbps}k`];
}

function commonHead(progress: boolean | undefined): string[] {
  const head = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error'];
  if (progress !== false) head.push('-progress', 'pipe:1', '-nostats');
  return head;
}

/**
 * Encodes rawvideo frames read from stdin plus an audio input into an MP4 (H.264 + AAC). The output ends
 * with the shorter of the two streams, so the audio decides the length when the frames cover it.
 */
export function buildRawVideoEncodeArgs(options: RawVideoEncodeOptions): string[] {
  const { video } = options;
  assertPositiveInteger('video.width', video.width);
  assertPositiveInteger('video.height', video.height);
  if (!(video.fps > 0 && Number.isFinite(video.fps))) throw new RangeError('video.fps must be positive');
  if (options.scale === undefined && video.pixelFormat === 'yuv420p')
    assertEvenSize(video.width, video.height);
  const finalWidth = options.scale?.width ?? video.width;
  const finalHeight = options.scale?.height ?? video.height;
  assertEvenSize(finalWidth, finalHeight);
  const queue = options.inputQueueFrames ?? 64;
  assertPositiveInteger('inputQueueFrames', queue);

  const args = [
    ...commonHead(options.progress),
    '-thread_queue_size',
    String(queue),
    '-f',
    'rawvideo',
    '-pix_fmt',
    video.pixelFormat,
    '-s',
    `${video.width}x${video.height}`,
    '-framerate',
    num(video.fps),
    '-i',
    'pipe:0',
    ...buildAudioInputArgs(options.audio),
    '-map',
    '0:v:0',
    '-map',
    '1:a:0',
  ];
  const matrix = options.colorMatrix ?? 'bt709';
  const filter = buildVideoFilter({
    ...(options.scale === undefined ? {} : { scale: options.scale }),
    ...(video.pixelFormat === 'yuv420p' ? {} : { convertMatrix: matrix }),
    ...(options.subtitles === undefined ? {} : { subtitles: options.subtitles }),
  });
  if (filter !== undefined) args.push('-vf', filter);
  args.push(
    ...buildH264Args(options.h264 ?? {}, video.fps),
    ...buildColorTagArgs(matrix),
    ...buildAudioOutputArgs(options.audioBitrateKbps),
    '-shortest',
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    fileArg(options.outPath),
  );
  return args;
}

/** Encodes one still image for `durationMs` with an audio track: the baseline the renderer is timed against. */
export function buildStillImageEncodeArgs(options: StillImageEncodeOptions): string[] {
  assertEvenSize(options.width, options.height);
  if (!(options.durationMs > 0)) throw new RangeError('durationMs must be positive');
  if (!(options.fps > 0)) throw new RangeError('fps must be positive');
  return [
    ...commonHead(options.progress),
    '-loop',
    '1',
    '-framerate',
    num(options.fps),
    '-i',
    fileArg(options.imagePath),
    ...buildAudioInputArgs(options.audio),
    '-map',
    '0:v:0',
    '-map',
    '1:a:0',
    '-vf',
    `scale=${options.width}:${options.height}:flags=bicubic`,
    '-t',
    num(options.durationMs / 1000),
    ...buildH264Args(options.h264 ?? {}, options.fps),
    ...buildAudioOutputArgs(options.audioBitrateKbps),
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    fileArg(options.outPath),
  ];
}
