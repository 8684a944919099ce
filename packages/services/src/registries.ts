/** The registries of both planes, composed from services and config flags. */
import { diagnosticServices, ServiceRegistry } from '@myspinbot/runtime';
import { getCapabilities, getManifest } from './capabilities.js';
import type { PlaneDeps } from './deps.js';

export interface RegistryOptions {
  /** Register diag.noop / diag.sleep / diag.fail / diag.echo. */
  diagnostics: boolean;
}

export function createControlRegistry(options: RegistryOptions): ServiceRegistry<PlaneDeps> {
  const registry = new ServiceRegistry<PlaneDeps>('node').register(getManifest);
  if (options.diagnostics) registry.register(...diagnosticServices('node'));
  return registry;
}

export function createDataRegistry(options: RegistryOptions): ServiceRegistry<PlaneDeps> {
  const registry = new ServiceRegistry<PlaneDeps>('python').register(getCapabilities);
  if (options.diagnostics) registry.register(...diagnosticServices('python'));
  return registry;
}
