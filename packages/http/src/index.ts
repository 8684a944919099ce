export { type ErrorBody, errorHandling, sendError } from './errors.js';
export { type Running, runProcess } from './lifecycle.js';
export { type ObservabilityOptions, observability, type ReadinessCheck } from './observability.js';
export { createServer, type ServerOptions } from './server.js';
