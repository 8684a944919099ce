export { createBus } from './create-bus.js';
export { busConfig, DEFAULT_BUS_CONFIG } from './defaults.js';
export { isTerminalStatus, JobEventHub } from './event-hub.js';
export { BusKeys, PLANES } from './keys.js';
export { MemoryBus } from './memory/memory-bus.js';
export { failureOfError, nowIso, otherPlane, statusEvent } from './record.js';
export { RedisBus, type RedisBusOptions } from './redis/redis-bus.js';
export type * from './types.js';
