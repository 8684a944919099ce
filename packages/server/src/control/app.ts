/**
 * The control plane's HTTP surface, as one Fastify instance with encapsulated plugins.
 */
import multipart from '@fastify/multipart';
import type { Bus } from '@myspinbot/bus';
import { createServer, errorHandling, observability, type ReadinessCheck } from '@myspinbot/http';
import type { ArtifactStore } from '@myspinbot/storage';
import type { Metrics } from '@myspinbot/telemetry';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { JobService } from './jobs/job-service.js';
import { apiLimits } from './limits.js';
import type { ManifestSource } from './manifests.js';
import { openApiDocument } from './openapi.js';
import type { PipelineCatalogStore } from './planning/catalog.js';
import { capabilitiesRoutes } from './routes/capabilities.js';
import { jobRoutes } from './routes/jobs.js';
import { type TrainLimits, trainRoutes } from './routes/train.js';
import { webRoutes } from './routes/web.js';
import { wsRoutes } from './routes/ws.js';
import { isAuthorized, originAllowed, presentedKey, type SecurityOptions, security } from './security.js';
import type { JobFeed } from './ws/job-feed.js';

export interface ApiDeps {
  bus: Bus;
  store: ArtifactStore;
  jobs: JobService;
  feed: JobFeed;
  manifests: ManifestSource;
  catalog: PipelineCatalogStore;
  metrics: Metrics;
  checks: Record<string, ReadinessCheck>;
  limits: TrainLimits;
  security: SecurityOptions;
  wsHeartbeatMs?: number;
  trustProxy?: boolean;
  /** Folder of the built web UI served at / (skipped when absent). */
  webDir?: string;
  logger?: FastifyBaseLogger;
  role?: string;
  version?: string;
}

export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const app = createServer({
    ...(deps.logger ? { logger: deps.logger } : {}),
    trustProxy: deps.trustProxy ?? false,
  });
  await app.register(errorHandling);
  await app.register(observability, { metrics: deps.metrics, role: deps.role ?? 'api', checks: deps.checks });
  await app.register(security, deps.security);
  const largest = Math.max(deps.limits.maxImageBytes, deps.limits.maxVoiceBytes);
  await app.register(multipart, {
    limits: { fileSize: largest, files: 2, fields: 8, parts: 10, fieldSize: 64 * 1024, fieldNameSize: 64 },
  });
  await app.register(capabilitiesRoutes, {
    manifests: deps.manifests,
    catalog: deps.catalog,
    limits: apiLimits(deps.limits, deps.security.apiKeys.length > 0),
  });
  await app.register(trainRoutes, { jobs: deps.jobs, limits: deps.limits });
  await app.register(jobRoutes, {
    bus: deps.bus,
    jobs: deps.jobs,
    store: deps.store,
    tokens: deps.security.artifactTokens,
  });
  await app.register(wsRoutes, {
    feed: deps.feed,
    heartbeatMs: deps.wsHeartbeatMs ?? 15_000,
    metrics: {
      connections: {
        inc: () => deps.metrics.wsConnections.inc(),
        dec: () => deps.metrics.wsConnections.dec(),
      },
      messageIn: (kind) => deps.metrics.wsMessages.inc({ direction: 'in', kind }),
      messageOut: (kind) => deps.metrics.wsMessages.inc({ direction: 'out', kind }),
    },
    admit: (headers, query) => {
      const origin = typeof headers.origin === 'string' ? headers.origin : undefined;
      if (!originAllowed(deps.security, origin))
        return { status: 403, code: 'ORIGIN_NOT_ALLOWED', message: `origin ${origin} is not allowed` };
      if (!isAuthorized(deps.security, presentedKey(headers, query))) {
        return {
          status: 401,
          code: 'UNAUTHORIZED',
          message: 'a valid API key is required (x-api-key header or ?apiKey=)',
        };
      }
      return null;
    },
  });
  const document = openApiDocument(deps.version ?? '0.1.0');
  app.get('/api/openapi.json', async () => document);
  await webRoutes(app, { dir: deps.webDir ?? '' });
  return app;
}
