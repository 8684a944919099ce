export { type ControlProcess, startControlProcess } from './control/compose.js';
export { DEFAULT_CATALOG_FILE, PipelineCatalogStore } from './control/planning/catalog.js';
export { startWorkerProcess, type WorkerProcess } from './worker/compose.js';
