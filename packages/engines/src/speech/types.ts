/** The speech-engine contract every text-to-speech backend implements. */
import type { EngineCallOptions, PcmAudio, SpeechResult, VoiceProfile } from '../types.js';

/** A recorded voice clip with what is said in it, for engines that clone a voice from an example. */
export interface VoiceReference {
  audio: PcmAudio;
  /** What the clip says; when absent, the voice profile's transcript is used. */
  transcript?: string;
}

export interface SpeechSynthesisOptions extends EngineCallOptions {
  /** Voice to imitate: the built-in engine shapes pitch, range and rate from it. */
  voice?: VoiceProfile | null;
  /** BCP-47 language tag, e.g. "en", "en-GB", "de". Default "en". */
  language?: string;
  /** Reference clip for cloning engines (ignored by the others). */
  reference?: VoiceReference | null;
}

export interface SpeechEngineDescription {
  /** Stable engine name, the same as SpeechResult.engine. */
  name: string;
  /** True for engines that run inside this process without any service or download. */
  builtIn: boolean;
}

export interface SpeechEngine {
  /**
   * Speaks the text. The result has one WordTiming per word of the text (see tokenizeWords), in order,
   * with non-decreasing, non-overlapping times inside the audio. Empty text is NODE_INPUT_INVALID; an
   * aborted signal ends the call with NODE_CANCELLED.
   */
  synthesize(text: string, options?: SpeechSynthesisOptions): Promise<SpeechResult>;
  describe(): SpeechEngineDescription;
}
