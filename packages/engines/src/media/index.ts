/** Media tooling: the ffmpeg/ffprobe spawn helper, pure argument builders and parsers, and probing. */
export {
  type AudioInput,
  buildAudioInputArgs,
  buildColorTagArgs,
  buildH264Args,
  buildRawVideoEncodeArgs,
  buildStillImageEncodeArgs,
  buildVideoFilter,
  escapeFilterValue,
  fileArg,
  type H264Options,
  type RawPixelFormat,
  type RawVideoEncodeOptions,
  type StillImageEncodeOptions,
  type X264Preset,
} from './ffmpeg-args.js';
export {
  buildProbeArgs,
  type MediaInfo,
  type MediaStreamInfo,
  parseProbeJson,
  parseRational,
  probeMedia,
} from './probe.js';
export {
  applyProgressLine,
  type FfmpegProgress,
  parseFfmpegTimestamp,
  parseStderrTime,
  progressFraction,
} from './progress.js';
export {
  type MediaToolOptions,
  type MediaToolProcess,
  type MediaToolResult,
  runMediaTool,
  startMediaTool,
} from './run-media-tool.js';
export { isHarmlessStderrLine, LineSplitter, LineTail } from './stderr-lines.js';
export { type MediaTool, mediaToolPath } from './tool-paths.js';
