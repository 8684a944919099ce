/**
 * Shared shapes between the media engines. Engines know nothing of buses, graphs or HTTP: they take
 * buffers/paths and options, report progress through a callback, and honour an AbortSignal.
 */

/** Progress callback: fraction 0..1 of this engine call, with an optional human-readable step. */
export type ProgressFn = (fraction: number, message?: string) => void;

/** Common options every long engine call accepts. */
export interface EngineCallOptions {
  signal?: AbortSignal;
  onProgress?: ProgressFn;
}

/** Mono PCM audio held in memory. */
export interface PcmAudio {
  sampleRate: number;
  /** Samples in -1..1. */
  samples: Float32Array;
}

/** A spoken word and where it sits in the audio. */
export interface WordTiming {
  /** The word as written in the narration (punctuation stripped). */
  text: string;
  startMs: number;
  endMs: number;
  /** Index of the caption segment the word belongs to, when the narration was segmented. */
  segment?: number;
}

/** A phoneme (IPA) and where it sits in the audio. */
export interface PhonemeTiming {
  phoneme: string;
  startMs: number;
  endMs: number;
}

/** What a speech engine returns. */
export interface SpeechResult {
  audio: PcmAudio;
  durationMs: number;
  words: WordTiming[];
  /** Empty when the engine cannot tell (remote adapters); renderers then fall back to the amplitude envelope. */
  phonemes: PhonemeTiming[];
  /** Which engine produced it, for manifests and logs (e.g. "espeak-ng", "openai-speech"). */
  engine: string;
}

/** A reusable description of a voice, measured from a sample by train_voice. */
export interface VoiceProfile {
  version: 1;
  /** Median fundamental frequency of voiced frames (Hz). */
  pitchHz: number;
  /** Spread of the pitch (semitones, interquartile range). */
  pitchRangeSemitones: number;
  /** Speaking rate in words per minute (from the transcript) when a transcript was given. */
  wordsPerMinute: number | null;
  /** Syllable-nucleus rate estimated from the audio (per second). */
  syllablesPerSecond: number;
  /** Loudness of voiced frames (dBFS RMS). */
  loudnessDbfs: number;
  /** Share of frames that are voiced, 0..1. */
  voicedRatio: number;
  /** Duration of the analysed sample (s). */
  sampleDurationS: number;
  /** Transcript of the sample, kept for cloning engines. */
  transcript: string | null;
}
