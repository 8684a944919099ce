export {
  CAPABILITIES_PIPELINE,
  capabilitiesGraph,
  combineManifests,
  getCapabilities,
  getManifest,
  serviceList,
} from './capabilities.js';
export { upscaleArgs } from './data/finalize.js';
export { loadSpeech, type SpeechTimings } from './data/speech.js';
export type { PlaneDeps } from './deps.js';
export { createEngines, type EngineSet, loadEngines } from './engines.js';
export { createPlaneExecutor, type PlaneExecutorSetup } from './executors.js';
export { createControlRegistry, createDataRegistry, type RegistryOptions } from './registries.js';
export { storeFromConfig } from './store.js';
