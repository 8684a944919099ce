/**
 * The built-in default writer: the prompt is the narration. Rules kept:
 * - the narration is the prompt tidied for speech (tidy.ts): no emojis, control characters or markdown,
 *   straight quotes, collapsed whitespace, sentence case, final punctuation; nothing is reworded or cut
 *   (post-script enforces the length limits and reports the cut);
 * - the title is the first words of the first sentence (deriveTitle); the stage is the neutral one;
 * - the same request always gives the same script; a prompt with no word left is NODE_INPUT_INVALID.
 */
import { MySpinBotError } from '@myspinbot/contracts';
import type { EngineCallOptions } from '../types.js';
import { throwIfScriptAborted } from './cancel.js';
import { deriveTitle, neutralStage, tidyNarration } from './tidy.js';
import {
  isEnglish,
  type ResolvedScriptRequest,
  resolveRequest,
  type Script,
  type ScriptRequest,
  type ScriptWriter,
  type ScriptWriterDescription,
} from './types.js';

export const DIRECT_WRITER_NAME = 'direct';

/** The direct script for an already resolved request (shared with the choosing writer). */
export function directScript(request: ResolvedScriptRequest): Script {
  const narration = tidyNarration(request.prompt, { english: isEnglish(request.language) });
  if (narration === '') {
    throw new MySpinBotError('NODE_INPUT_INVALID', 'The prompt has no words to speak once tidied', {
      details: { prompt: request.prompt.slice(0, 200) },
    });
  }
  return {
    title: deriveTitle(narration),
    stage: neutralStage(request.style),
    narration,
    engine: DIRECT_WRITER_NAME,
  };
}

export class DirectScriptWriter implements ScriptWriter {
  describe(): ScriptWriterDescription {
    return { name: DIRECT_WRITER_NAME, builtIn: true };
  }

  async write(request: ScriptRequest, options: EngineCallOptions = {}): Promise<Script> {
    throwIfScriptAborted(options.signal);
    const script = directScript(resolveRequest(request));
    options.onProgress?.(1, 'Script ready');
    return script;
  }
}
