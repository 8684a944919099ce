export { type ControlProcess, startControlProcess } from './control/compose.js';
export type { CreateJobRequest, JobDetail, Upload } from './control/jobs/job-service.js';
export { DEFAULT_CATALOG_FILE, PipelineCatalogStore } from './control/planning/catalog.js';
export { type AudioFacts, type ImageFacts, inspectImage, inspectVoice } from './control/uploads/inspect.js';
export { startWorkerProcess, type WorkerProcess } from './worker/compose.js';
