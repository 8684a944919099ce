/**
 * Builds the executor of a plane from the process configuration: its registry, its deps and its timings.
 * Every entry point (api, worker, embedded, CLI) composes planes through this one function.
 */
import type { Bus } from '@myspinbot/bus';
import type { AppConfig, Plane } from '@myspinbot/contracts';
import { type ExecutorHooks, type Logger, PlaneExecutor } from '@myspinbot/runtime';
import type { ArtifactStore } from '@myspinbot/storage';
import type { PlaneDeps } from './deps.js';
import { createEngines, type EngineSet } from './engines.js';
import { createControlRegistry, createDataRegistry } from './registries.js';

export interface PlaneExecutorSetup {
  plane: Plane;
  config: AppConfig;
  bus: Bus;
  store: ArtifactStore;
  /** Engines to use (built from config.engines when absent). */
  engines?: EngineSet;
  logger: Logger;
  hooks?: ExecutorHooks;
  version?: string;
}

export function createPlaneExecutor(setup: PlaneExecutorSetup): PlaneExecutor<PlaneDeps> {
  const { config } = setup;
  const options = {
    diagnostics: config.services.diagnostics,
    engines: setup.engines ?? createEngines(config.engines),
  };
  const registry = setup.plane === 'node' ? createControlRegistry(options) : createDataRegistry(options);
  const executor: PlaneExecutor<PlaneDeps> = new PlaneExecutor<PlaneDeps>({
    bus: setup.bus,
    registry,
    deps: { manifest: () => executor.manifest(), store: setup.store },
    config: config.bus.timings,
    concurrency:
      setup.plane === 'node' ? config.executor.controlConcurrency : config.executor.dataConcurrency,
    defaultNodeTimeoutMs: config.executor.defaultNodeTimeoutMs,
    logger: setup.logger,
    ...(setup.hooks ? { hooks: setup.hooks } : {}),
    ...(setup.version ? { version: setup.version } : {}),
  });
  return executor;
}
