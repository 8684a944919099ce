export { abortReason, raceAbort, sleep } from './abort.js';
export { diagnosticServices } from './diagnostics.js';
export { type ExecutorState, PlaneExecutor, type PlaneExecutorOptions } from './executor.js';
export type { ExecutorHooks, TransitionKind } from './hooks.js';
export { type LogFn, type Logger, silentLogger } from './logger.js';
export { parseDelivery } from './parse-delivery.js';
export { resumableGraph } from './redelivery.js';
export { type ServiceContext, type ServiceDefinition, ServiceRegistry } from './service.js';
