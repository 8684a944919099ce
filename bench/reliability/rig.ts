/**
 * What the worker-kill and poison faults share: a fresh prefix on the suite's private Redis, a bus for the
 * bench (submits, reads records and dead letters, hears events), an in-process control-plane executor
 * (diagnostic services) and the job ledger. Short bus timings, so a reclaim takes about a second.
 */
import { randomBytes } from 'node:crypto';
import { busConfig, RedisBus } from '@myspinbot/bus';
import type { BusConfig } from '@myspinbot/contracts';
import { diagnosticServices, PlaneExecutor, ServiceRegistry } from '@myspinbot/runtime';
import { JobLedger } from './ledger.js';

/** The bus timings of the kill and poison faults (the reset fault uses the product's reset timings). */
export const FAST_TIMINGS: Partial<BusConfig> = {
  visibilityTimeoutMs: 1000,
  heartbeatIntervalMs: 200,
  reclaimIntervalMs: 250,
  blockMs: 200,
  maxDeliveries: 5,
};

export function reliabilityPrefix(label: string): string {
  return `bench:reliability:${label}:${randomBytes(4).toString('hex')}`;
}

export interface Rig {
  prefix: string;
  config: BusConfig;
  bus: RedisBus;
  control: PlaneExecutor;
  ledger: JobLedger;
  close(): Promise<void>;
}

export async function startRig(url: string, label: string, timings: Partial<BusConfig>): Promise<Rig> {
  const prefix = reliabilityPrefix(label);
  const config = busConfig({ prefix, ...timings });
  const bus = new RedisBus({ url, config, maxReconnectDelayMs: 200 });
  await bus.init();
  const control = new PlaneExecutor({
    bus,
    registry: new ServiceRegistry('node').register(...diagnosticServices('node')),
    deps: {},
    config,
    concurrency: 16,
  });
  await control.start();
  const ledger = new JobLedger(bus);
  await ledger.start();
  return {
    prefix,
    config,
    bus,
    control,
    ledger,
    async close() {
      await ledger.stop();
      await control.stop(1000);
      await bus.close();
    },
  };
}
