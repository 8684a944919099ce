/**
 * Build-time settings of the static export. NEXT_PUBLIC_API_URL (inlined by `next build`) points the UI at
 * an API on another origin; unset, the UI talks to the origin that served it (`npm start`).
 */
export const API_BASE_URL: string = process.env.NEXT_PUBLIC_API_URL ?? '';

/** Upload limits of the API (config/default.json, api.*): checked here first so users hear early. */
export const LIMITS = {
  imageBytes: 15 * 1024 * 1024,
  imageMinSide: 64,
  imageMaxSide: 8192,
  voiceBytes: 30 * 1024 * 1024,
  voiceMinSeconds: 1,
  voiceMaxSeconds: 180,
  promptChars: 4000,
  voiceTextChars: 4000,
} as const;

/** Page size of the job history. */
export const HISTORY_PAGE_SIZE = 10;
