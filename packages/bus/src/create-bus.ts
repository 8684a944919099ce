import type { AppConfig } from '@myspinbot/contracts';
import { MemoryBus } from './memory/memory-bus.js';
import { RedisBus } from './redis/redis-bus.js';
import type { Bus } from './types.js';

/** The bus named by the process configuration. */
export function createBus(config: AppConfig['bus']): Bus {
  return config.kind === 'memory'
    ? new MemoryBus(config.timings)
    : new RedisBus({ url: config.redisUrl, config: config.timings });
}
