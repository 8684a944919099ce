/** The registries of both planes, composed from the services, the configured engines and config flags. */
import { diagnosticServices, ServiceRegistry } from '@myspinbot/runtime';
import { getCapabilities, getManifest } from './capabilities.js';
import { prepareAssets } from './control/prepare-assets.js';
import { uploadArtifact } from './control/publish.js';
import { generateScript, postScriptService } from './control/script.js';
import { finalizeVideo } from './data/finalize.js';
import { trainLora } from './data/lora.js';
import { renderVideo } from './data/render.js';
import { renderVideoComfy } from './data/render-comfy.js';
import { synthesizeSpeech } from './data/speech.js';
import { trainVoice } from './data/voice.js';
import type { PlaneDeps } from './deps.js';
import type { EngineSet } from './engines.js';

export interface RegistryOptions {
  /** Register diag.noop / diag.sleep / diag.fail / diag.echo. */
  diagnostics: boolean;
  engines: EngineSet;
}

export function createControlRegistry(options: RegistryOptions): ServiceRegistry<PlaneDeps> {
  const registry = new ServiceRegistry<PlaneDeps>('node').register(
    getManifest,
    prepareAssets,
    generateScript(options.engines.script),
    postScriptService,
    uploadArtifact,
  );
  if (options.diagnostics) registry.register(...diagnosticServices('node'));
  return registry;
}

export function createDataRegistry(options: RegistryOptions): ServiceRegistry<PlaneDeps> {
  const registry = new ServiceRegistry<PlaneDeps>('python').register(
    getCapabilities,
    trainVoice,
    synthesizeSpeech(options.engines),
    renderVideo(options.engines),
    finalizeVideo,
    trainLora(options.engines),
  );
  if (options.engines.comfyPortrait) registry.register(renderVideoComfy(options.engines.comfyPortrait));
  if (options.diagnostics) registry.register(...diagnosticServices('python'));
  return registry;
}
