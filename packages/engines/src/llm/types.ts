/**
 * The script-writer contract: every writer (built-in or LLM adapter) turns a prompt into a Script, the
 * short stage description plus the narration the portrait speaks.
 */
import { MySpinBotError } from '@myspinbot/contracts';
import type { EngineCallOptions } from '../types.js';

/** Target narration length when the request gives none (words). */
export const DEFAULT_MAX_WORDS = 120;
/** Longest prompt a writer accepts (characters, after trimming). */
export const MAX_PROMPT_CHARS = 8000;

export interface ScriptRequest {
  /** What the user typed: a text to speak, or an instruction describing what to say. */
  prompt: string;
  /** BCP-47 tag of the narration language, e.g. "en", "fr". Writers default to English. */
  language?: string;
  /** Target narration length in words (default 120). Post-script enforces the hard limit. */
  maxWords?: number;
  /** Free-form tone, e.g. "enthusiastic", "calm and formal". */
  style?: string;
}

export interface Script {
  /** Short title for the video (a few words). */
  title: string;
  /** One sentence on how the speaker looks and sounds (expression, mood, setting). */
  stage: string;
  /** Exactly what the portrait says. */
  narration: string;
  /** Name of the writer that produced it (ScriptWriterDescription.name). */
  engine: string;
  /** Model that wrote it, for LLM adapters. */
  model?: string;
}

export interface ScriptWriterDescription {
  /** Stable writer name, the same as Script.engine (or "auto" for the choosing writer). */
  name: string;
  /** True for writers that run in this process without any service or download. */
  builtIn: boolean;
  model?: string;
}

export interface ScriptWriter {
  /**
   * Writes a script for the prompt. An empty or unusable prompt (or, for adapters, no usable model answer
   * after one corrective retry) is NODE_INPUT_INVALID; an unreachable service is ENGINE_UNAVAILABLE; an
   * aborted signal ends the call with NODE_CANCELLED.
   */
  write(request: ScriptRequest, options?: EngineCallOptions): Promise<Script>;
  describe(): ScriptWriterDescription;
}

/** A request with its defaults applied and its prompt trimmed. */
export interface ResolvedScriptRequest {
  prompt: string;
  /** Lower-case BCP-47 tag; "en" when the request gave none. */
  language: string;
  maxWords: number;
  style: string | null;
}

/** Applies the defaults; NODE_INPUT_INVALID for an empty or oversized prompt or a maxWords below 1. */
export function resolveRequest(request: ScriptRequest): ResolvedScriptRequest {
  const prompt = typeof request.prompt === 'string' ? request.prompt.trim() : '';
  if (prompt === '') throw new MySpinBotError('NODE_INPUT_INVALID', 'The prompt is empty');
  if (prompt.length > MAX_PROMPT_CHARS) {
    throw new MySpinBotError(
      'NODE_INPUT_INVALID',
      `The prompt has ${prompt.length} characters; at most ${MAX_PROMPT_CHARS} are accepted`,
      { details: { chars: prompt.length, max: MAX_PROMPT_CHARS } },
    );
  }
  const maxWords = request.maxWords ?? DEFAULT_MAX_WORDS;
  if (!Number.isInteger(maxWords) || maxWords < 1) {
    throw new MySpinBotError('NODE_INPUT_INVALID', `maxWords must be a whole number >= 1, got ${maxWords}`);
  }
  const language = (request.language ?? '').trim().toLowerCase() || 'en';
  const style = (request.style ?? '').trim().replace(/\s+/g, ' ');
  return { prompt, language, maxWords, style: style === '' ? null : style };
}

/** True when the tag names English (or no language was given). */
export function isEnglish(language: string): boolean {
  return language === 'en' || language.startsWith('en-');
}
