import type { BusConfig } from '@myspinbot/contracts';

/** Defaults tuned for one workstation; every field can be overridden by config (see docs/operations.md). */
export const DEFAULT_BUS_CONFIG: BusConfig = {
  prefix: 'myspinbot',
  jobTtlSeconds: 7 * 24 * 3600,
  visibilityTimeoutMs: 30_000,
  heartbeatIntervalMs: 5_000,
  reclaimIntervalMs: 5_000,
  maxDeliveries: 5,
  blockMs: 2_000,
  trimIntervalMs: 60_000,
  resetCheckIntervalMs: 2_000,
};

export function busConfig(overrides: Partial<BusConfig> = {}): BusConfig {
  return { ...DEFAULT_BUS_CONFIG, ...overrides };
}
