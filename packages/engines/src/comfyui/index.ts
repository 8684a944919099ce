export * from './client.js';
export { COMFY_ENGINE_NAME } from './errors.js';
export type { ComfyEngineConfig, ComfyEngineDescription } from './job.js';
export * from './load.js';
export * from './portrait-renderer.js';
export { ComfyProgressTracker } from './progress.js';
export * from './types.js';
export * from './upscaler.js';
export * from './workflow.js';
