export { DEFAULT_LLM_TIMEOUT_MS } from './adapter-config.js';
export * from './auto-writer.js';
export {
  checkAnswer,
  languageName,
  SCRIPT_JSON_SCHEMA,
  SCRIPT_SCHEMA_NAME,
  systemPrompt,
  WORD_TOLERANCE,
} from './chat.js';
export * from './direct-writer.js';
export * from './factory.js';
export { type Instruction, isInstructionPrompt, parseInstruction, toFirstPerson } from './instruction.js';
export * from './ollama-writer.js';
export * from './openai-writer.js';
export * from './template-writer.js';
export { deriveTitle, tidyNarration } from './tidy.js';
export * from './types.js';
