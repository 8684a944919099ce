/**
 * Builds the configured script writer. Kinds: "direct" (default built-in: the prompt is the narration),
 * "template" (built-in: instructions become a templated first-person script), "auto" (built-in: template
 * for English instructions, else direct), "ollama" and "openai" (LLM adapters that need "url" and
 * "model"). A missing or invalid setting is CONFIG_INVALID naming the field.
 */
import { MySpinBotError } from '@myspinbot/contracts';
import { AutoScriptWriter } from './auto-writer.js';
import { DirectScriptWriter } from './direct-writer.js';
import { OllamaScriptWriter } from './ollama-writer.js';
import { OpenAIChatScriptWriter } from './openai-writer.js';
import { TemplateScriptWriter } from './template-writer.js';
import type { ScriptWriter } from './types.js';

export type ScriptWriterKind = 'direct' | 'template' | 'auto' | 'ollama' | 'openai';

export const SCRIPT_WRITER_KINDS: readonly ScriptWriterKind[] = [
  'direct',
  'template',
  'auto',
  'ollama',
  'openai',
];

export interface ScriptWriterConfig {
  kind: ScriptWriterKind;
  /** Server root for the adapters. */
  url?: string | null;
  /** Model name for the adapters. */
  model?: string | null;
  /** Bearer token for the "openai" adapter. */
  apiKey?: string | null;
  /** Deadline of each adapter request in ms (default 120 000). */
  timeoutMs?: number | null;
  /** Sampling temperature 0-2 for the adapters. */
  temperature?: number | null;
}

function required(value: string | null | undefined, name: string, kind: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new MySpinBotError('CONFIG_INVALID', `Script writer "${kind}" needs "${name}"`, {
      details: { kind, field: name },
    });
  }
  return value;
}

export function createScriptWriter(config: ScriptWriterConfig): ScriptWriter {
  const kind: unknown = config.kind;
  const optional = {
    ...(config.timeoutMs === null || config.timeoutMs === undefined ? {} : { timeoutMs: config.timeoutMs }),
    ...(config.temperature === null || config.temperature === undefined
      ? {}
      : { temperature: config.temperature }),
  };
  switch (kind) {
    case 'direct':
      return new DirectScriptWriter();
    case 'template':
      return new TemplateScriptWriter();
    case 'auto':
      return new AutoScriptWriter();
    case 'ollama':
      return new OllamaScriptWriter({
        baseUrl: required(config.url, 'url', kind),
        model: required(config.model, 'model', kind),
        ...optional,
      });
    case 'openai':
      return new OpenAIChatScriptWriter({
        baseUrl: required(config.url, 'url', kind),
        model: required(config.model, 'model', kind),
        apiKey: config.apiKey ?? null,
        ...optional,
      });
    default:
      throw new MySpinBotError(
        'CONFIG_INVALID',
        `Unknown script writer "kind" ${JSON.stringify(kind)}; expected one of ${SCRIPT_WRITER_KINDS.join(', ')}`,
        { details: { field: 'kind' } },
      );
  }
}
