/**
 * GET /api/limits: the limits POST /api/train applies on this deployment (config api.* and the fixed rules
 * of the upload checks), so that clients check uploads against the server's numbers, not copies of the
 * defaults. Open without an API key: a page reads it before it has one, and it says whether one is needed.
 */
import type { ApiLimits } from '@myspinbot/contracts';
import type { TrainLimits } from './routes/train.js';
import { UPLOAD_RULES } from './uploads/inspect.js';

export function apiLimits(limits: TrainLimits, apiKeyRequired: boolean): ApiLimits {
  return {
    image: {
      maxBytes: limits.maxImageBytes,
      types: [...UPLOAD_RULES.imageTypes],
      minSide: UPLOAD_RULES.imageMinSide,
      maxSide: UPLOAD_RULES.imageMaxSide,
    },
    voice: {
      maxBytes: limits.maxVoiceBytes,
      types: [...UPLOAD_RULES.voiceTypes],
      minSeconds: UPLOAD_RULES.voiceMinSeconds,
      maxSeconds: UPLOAD_RULES.voiceMaxSeconds,
    },
    promptChars: limits.maxPromptChars,
    voiceTextChars: limits.maxVoiceTextChars,
    apiKeyRequired,
  };
}
