/**
 * The engines a process uses, built once from its configuration. Adapters exist only when configured
 * (an adapter without its URL is not built, so its services are not advertised).
 */
import type { AppConfig } from '@myspinbot/contracts';
import { ComfyPortraitRenderer, loadComfyWorkflow } from '@myspinbot/engines/comfyui';
import { createScriptWriter, type ScriptWriter } from '@myspinbot/engines/llm';
import {
  CloningSpeechEngine,
  EspeakSpeechEngine,
  OpenAISpeechEngine,
  type SpeechEngine,
} from '@myspinbot/engines/speech';

export interface LoraTrainerConfig {
  command: string;
  timeoutMs: number;
}

export interface EngineSet {
  /** The ComfyUI talking-portrait workflow, when ComfyUI and that workflow are configured. */
  comfyPortrait: ComfyPortraitRenderer | null;
  script: ScriptWriter;
  /** The default speech engine (built-in espeak-ng or the configured OpenAI-compatible server). */
  speech: SpeechEngine;
  /** The zero-shot cloning engine, when a cloning server is configured. */
  cloning: SpeechEngine | null;
  portrait: AppConfig['engines']['portrait'];
  lora: LoraTrainerConfig | null;
}

const nonEmpty = (value: string | undefined): string | undefined =>
  value && value.trim() !== '' ? value.trim() : undefined;

export function createEngines(config: AppConfig['engines']): EngineSet {
  const script = createScriptWriter({
    kind: config.script.kind,
    url: nonEmpty(config.script.url) ?? null,
    model: nonEmpty(config.script.model) ?? null,
    apiKey: nonEmpty(config.script.apiKey) ?? null,
    timeoutMs: config.script.timeoutMs ?? null,
  });
  const speechUrl = nonEmpty(config.speech.url);
  const speech: SpeechEngine =
    config.speech.kind === 'openai' && speechUrl
      ? new OpenAISpeechEngine({
          baseUrl: speechUrl,
          apiKey: nonEmpty(config.speech.apiKey) ?? null,
          ...(config.speech.model ? { model: config.speech.model } : {}),
          ...(config.speech.voice ? { voice: config.speech.voice } : {}),
          ...(config.speech.timeoutMs ? { timeoutMs: config.speech.timeoutMs } : {}),
        })
      : new EspeakSpeechEngine();
  const cloningUrl = nonEmpty(config.cloning.url);
  const cloning = cloningUrl
    ? new CloningSpeechEngine({
        baseUrl: cloningUrl,
        apiKey: nonEmpty(config.cloning.apiKey) ?? null,
        ...(config.cloning.timeoutMs ? { timeoutMs: config.cloning.timeoutMs } : {}),
      })
    : null;
  const command = nonEmpty(config.lora.trainerCommand);
  return {
    comfyPortrait: null,
    script,
    speech,
    cloning,
    portrait: config.portrait,
    lora: command ? { command, timeoutMs: config.lora.timeoutMs ?? 7_200_000 } : null,
  };
}

/** createEngines plus the adapters that need files read at start-up (ComfyUI workflows). */
export async function loadEngines(config: AppConfig['engines']): Promise<EngineSet> {
  const engines = createEngines(config);
  const url = nonEmpty(config.comfyui.url);
  const workflowFile = nonEmpty(config.comfyui.portraitWorkflow);
  if (url && workflowFile) {
    const { workflow, spec } = await loadComfyWorkflow(workflowFile);
    engines.comfyPortrait = new ComfyPortraitRenderer({
      baseUrl: url,
      workflow,
      spec,
      ...(config.comfyui.timeoutMs ? { timeoutMs: config.comfyui.timeoutMs } : {}),
    });
  }
  return engines;
}
