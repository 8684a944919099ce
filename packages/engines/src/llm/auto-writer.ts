/**
 * The built-in writer that chooses per prompt: an English prompt that reads as an instruction
 * (isInstructionPrompt: "you are ...", "introduce yourself ...", "tell ...", "explain ...") goes to the
 * template writer; anything else, and every prompt in another language, is spoken as written by the direct
 * writer. Script.engine names the writer that was used.
 */
import type { EngineCallOptions } from '../types.js';
import { throwIfScriptAborted } from './cancel.js';
import { directScript } from './direct-writer.js';
import { isInstructionPrompt } from './instruction.js';
import { templateScript } from './template-writer.js';
import {
  isEnglish,
  resolveRequest,
  type Script,
  type ScriptRequest,
  type ScriptWriter,
  type ScriptWriterDescription,
} from './types.js';

export const AUTO_WRITER_NAME = 'auto';

export type BuiltInScriptMode = 'direct' | 'template' | 'auto';

/** Which built-in writer the auto mode uses for this request. */
export function chooseBuiltInMode(request: ScriptRequest): 'direct' | 'template' {
  const language = (request.language ?? '').trim().toLowerCase() || 'en';
  return isEnglish(language) && isInstructionPrompt(request.prompt) ? 'template' : 'direct';
}

export class AutoScriptWriter implements ScriptWriter {
  describe(): ScriptWriterDescription {
    return { name: AUTO_WRITER_NAME, builtIn: true };
  }

  async write(request: ScriptRequest, options: EngineCallOptions = {}): Promise<Script> {
    throwIfScriptAborted(options.signal);
    const resolved = resolveRequest(request);
    const script =
      chooseBuiltInMode(request) === 'template' ? templateScript(resolved) : directScript(resolved);
    options.onProgress?.(1, 'Script ready');
    return script;
  }
}
