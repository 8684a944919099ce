/**
 * The control plane's HTTP surface, as one Fastify instance with encapsulated plugins.
 */
import type { Bus, JobEventHub } from '@myspinbot/bus';
import type { PlaneManifest } from '@myspinbot/contracts';
import { createServer, errorHandling, observability, type ReadinessCheck } from '@myspinbot/http';
import type { Metrics } from '@myspinbot/telemetry';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { capabilitiesRoutes } from './routes/capabilities.js';
import { statusRoutes } from './routes/status.js';

export interface ApiDeps {
  bus: Bus;
  hub: JobEventHub;
  metrics: Metrics;
  controlManifest: () => PlaneManifest;
  capabilitiesTimeoutMs: number;
  checks: Record<string, ReadinessCheck>;
  logger?: FastifyBaseLogger;
  role?: string;
}

export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const app = createServer(deps.logger ? { logger: deps.logger } : {});
  await app.register(errorHandling);
  await app.register(observability, { metrics: deps.metrics, role: deps.role ?? 'api', checks: deps.checks });
  await app.register(statusRoutes, { bus: deps.bus });
  await app.register(capabilitiesRoutes, {
    bus: deps.bus,
    hub: deps.hub,
    controlManifest: deps.controlManifest,
    timeoutMs: deps.capabilitiesTimeoutMs,
  });
  return app;
}
