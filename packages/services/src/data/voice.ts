import { MySpinBotError } from '@myspinbot/contracts';
import { decodeWav } from '@myspinbot/engines/audio';
import { measureVoice } from '@myspinbot/engines/voice';
import type { ServiceDefinition } from '@myspinbot/runtime';
import { putJson, readArtifact, refIn, slot } from '../artifacts.js';
import type { PlaneDeps } from '../deps.js';

/**
 * train_voice: measures the voice sample (pitch, pitch range, speaking rate, loudness) into a reusable
 * voice profile, and keeps the clip and its transcript for cloning engines.
 */
export const trainVoice: ServiceDefinition<PlaneDeps> = {
  name: 'train_voice',
  plane: 'python',
  description: 'Measures a voice sample into a reusable voice profile (kept with the clip for cloning)',
  engine: 'builtin-voice-profile',
  timeoutMs: 300_000,
  async run(input, ctx) {
    const reference = refIn(slot(input, 'assets').voice, 'assets.voice', true);
    const transcript = typeof ctx.context.voiceText === 'string' && ctx.context.voiceText.trim() !== '' ? ctx.context.voiceText.trim() : null;
    ctx.progress(0.1, 'reading the sample');
    let audio: ReturnType<typeof decodeWav>;
    try {
      audio = decodeWav(await readArtifact(ctx, reference));
    } catch (error) {
      if (error instanceof MySpinBotError && error.code === 'ARTIFACT_NOT_FOUND') throw error;
      throw new MySpinBotError('MEDIA_INVALID', `the voice sample cannot be decoded: ${(error as Error).message}`);
    }
    ctx.progress(0.3, 'measuring pitch, rate and loudness');
    const profile = measureVoice(audio, transcript);
    const artifact = await putJson(ctx, 'voice-profile.json', profile);
    ctx.progress(1);
    return { profile, reference, transcript, artifacts: [artifact] };
  },
};
