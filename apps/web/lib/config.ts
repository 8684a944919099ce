/**
 * Build-time settings of the static export. NEXT_PUBLIC_API_URL (inlined by `next build`) points the UI at
 * an API on another origin; unset, the UI talks to the origin that served it (`npm start`).
 */
import type { ApiLimits } from './types';

export const API_BASE_URL: string = process.env.NEXT_PUBLIC_API_URL ?? '';

/** The upload limits the form checks before it sends anything. */
export interface UploadLimits {
  imageBytes: number;
  imageTypes: readonly string[];
  imageMinSide: number;
  imageMaxSide: number;
  voiceBytes: number;
  voiceTypes: readonly string[];
  voiceMinSeconds: number;
  voiceMaxSeconds: number;
  promptChars: number;
  voiceTextChars: number;
}

/**
 * The API's defaults (config/default.json api.*, and the upload checks): used until GET /api/limits
 * answers with the deployment's own numbers, and when it cannot be reached.
 */
export const DEFAULT_LIMITS: UploadLimits = {
  imageBytes: 15 * 1024 * 1024,
  imageTypes: ['image/jpeg', 'image/png', 'image/webp'],
  imageMinSide: 64,
  imageMaxSide: 8192,
  voiceBytes: 30 * 1024 * 1024,
  voiceTypes: ['audio/wav'],
  voiceMinSeconds: 1,
  voiceMaxSeconds: 180,
  promptChars: 4000,
  voiceTextChars: 4000,
};

/** The form's limits from the API's answer. */
export function limitsFromApi(limits: ApiLimits): UploadLimits {
  return {
    imageBytes: limits.image.maxBytes,
    imageTypes: limits.image.types,
    imageMinSide: limits.image.minSide,
    imageMaxSide: limits.image.maxSide,
    voiceBytes: limits.voice.maxBytes,
    voiceTypes: limits.voice.types,
    voiceMinSeconds: limits.voice.minSeconds,
    voiceMaxSeconds: limits.voice.maxSeconds,
    promptChars: limits.promptChars,
    voiceTextChars: limits.voiceTextChars,
  };
}

/** Page size of the job history. */
export const HISTORY_PAGE_SIZE = 10;

/** Ask for a new artifact token when this share of its lifetime has passed. */
export const TOKEN_REFRESH_AT = 0.8;
