import { MySpinBotError, type TrainOptions } from '@myspinbot/contracts';
import type { SpeechResult, VoiceProfile } from '@myspinbot/engines';
import { decodeWav, encodeWav } from '@myspinbot/engines/audio';
import type { SpeechEngine } from '@myspinbot/engines/speech';
import type { ServiceContext, ServiceDefinition } from '@myspinbot/runtime';
import { putArtifact, putJson, readArtifact, readJsonArtifact, refIn, slot } from '../artifacts.js';
import type { PlaneDeps } from '../deps.js';
import type { EngineSet } from '../engines.js';

/** What timings.json holds: everything of a SpeechResult but the samples (they are in speech.wav). */
export interface SpeechTimings {
  engine: string;
  sampleRate: number;
  durationMs: number;
  words: SpeechResult['words'];
  phonemes: SpeechResult['phonemes'];
}

/** The SpeechResult stored by synthesize_speech, read back (audio from speech.wav, timings from JSON). */
export async function loadSpeech(ctx: ServiceContext<PlaneDeps>, speech: Record<string, unknown>): Promise<SpeechResult> {
  const audioRef = refIn(speech.audio, 'speech.audio', true);
  const timingsRef = refIn(speech.timings, 'speech.timings', true);
  const timings = await readJsonArtifact<SpeechTimings>(ctx, timingsRef);
  const audio = decodeWav(await readArtifact(ctx, audioRef));
  return { audio, durationMs: timings.durationMs, words: timings.words, phonemes: timings.phonemes, engine: timings.engine };
}

/**
 * synthesize_speech: speaks the cleaned narration. With a voice sample and a cloning server configured,
 * the cloning engine imitates the sample; otherwise the default engine speaks, shaped by the voice
 * profile when there is one. Writes speech.wav and timings.json (word and phoneme timings).
 */
export function synthesizeSpeech(engines: EngineSet): ServiceDefinition<PlaneDeps> {
  const names = [engines.speech.describe().name, ...(engines.cloning ? [engines.cloning.describe().name] : [])];
  return {
    name: 'synthesize_speech',
    plane: 'python',
    description: 'Speaks the narration, with word and phoneme timings, in the voice of the profile or sample',
    engine: names.join('+'),
    timeoutMs: 600_000,
    async run(input, ctx) {
      const script = slot(input, 'script');
      const narration = typeof script.narration === 'string' ? script.narration : '';
      if (narration.trim() === '') throw new MySpinBotError('NODE_INPUT_INVALID', 'synthesize_speech needs a narration');
      const voice = input.voice && typeof input.voice === 'object' ? (input.voice as Record<string, unknown>) : null;
      const profile = (voice?.profile ?? null) as VoiceProfile | null;
      const options = slot(ctx.context as Record<string, unknown>, 'options') as TrainOptions;
      let engine: SpeechEngine = engines.speech;
      let reference = null;
      const referenceRef = voice ? refIn(voice.reference, 'voice.reference', false) : null;
      if (engines.cloning && referenceRef) {
        engine = engines.cloning;
        const transcript = typeof voice?.transcript === 'string' ? voice.transcript : undefined;
        reference = { audio: decodeWav(await readArtifact(ctx, referenceRef)), ...(transcript ? { transcript } : {}) };
      }
      ctx.progress(0.05, `speaking with ${engine.describe().name}`);
      const result = await engine.synthesize(narration, {
        voice: profile,
        reference,
        ...(options.language ? { language: options.language } : {}),
        signal: ctx.signal,
        onProgress: (f, m) => ctx.progress(0.05 + f * 0.85, m),
      });
      const audio = await putArtifact(ctx, 'speech.wav', encodeWav(result.audio), 'audio/wav');
      const timings: SpeechTimings = {
        engine: result.engine,
        sampleRate: result.audio.sampleRate,
        durationMs: result.durationMs,
        words: result.words,
        phonemes: result.phonemes,
      };
      const timingsRef = await putJson(ctx, 'timings.json', timings);
      ctx.progress(1);
      return { audio, timings: timingsRef, durationMs: result.durationMs, engine: result.engine, words: result.words.length, artifacts: [audio, timingsRef] };
    },
  };
}
