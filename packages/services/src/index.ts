export {
  CAPABILITIES_PIPELINE,
  capabilitiesGraph,
  combineManifests,
  getCapabilities,
  getManifest,
  serviceList,
} from './capabilities.js';
export type { PlaneDeps } from './deps.js';
export { createPlaneExecutor, type PlaneExecutorSetup } from './executors.js';
export { createControlRegistry, createDataRegistry, type RegistryOptions } from './registries.js';
