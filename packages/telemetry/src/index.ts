export { createLogger, type PinoLogger } from './logger.js';
export { createMetrics, METRIC_PREFIX, type Metrics } from './metrics.js';
