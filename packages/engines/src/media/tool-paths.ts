/**
 * Where the ffmpeg and ffprobe binaries live: inside the `@ffmpeg-installer` / `@ffprobe-installer` npm
 * packages, resolved once per process. Nothing is looked up on PATH and nothing is downloaded.
 */
import { createRequire } from 'node:module';
import { MySpinBotError } from '@myspinbot/contracts';

/** The external media tools the engines run. */
export type MediaTool = 'ffmpeg' | 'ffprobe';

const requireFromHere = createRequire(import.meta.url);
const resolved = new Map<MediaTool, string>();

const PACKAGE_OF: Record<MediaTool, string> = {
  ffmpeg: '@ffmpeg-installer/ffmpeg',
  ffprobe: '@ffprobe-installer/ffprobe',
};

/** Absolute path of a media tool binary; MEDIA_TOOL_FAILED when the platform package is missing. */
export function mediaToolPath(tool: MediaTool): string {
  const cached = resolved.get(tool);
  if (cached !== undefined) return cached;
  let path: unknown;
  try {
    // The installer packages throw a string (not an Error) on unsupported platforms.
    path = (requireFromHere(PACKAGE_OF[tool]) as { path?: unknown }).path;
  } catch (cause) {
    throw new MySpinBotError(
      'MEDIA_TOOL_FAILED',
      `${tool} is not available on this platform: ${String(cause)}`,
      {
        retryable: false,
        cause,
      },
    );
  }
  if (typeof path !== 'string' || path === '') {
    throw new MySpinBotError('MEDIA_TOOL_FAILED', `${PACKAGE_OF[tool]} did not report a binary path`, {
      retryable: false,
    });
  }
  resolved.set(tool, path);
  return path;
}
