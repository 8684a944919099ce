import type { ApiLimits, CombinedManifest } from '@myspinbot/contracts';
import type { FastifyInstance } from 'fastify';
import type { ManifestSource } from '../manifests.js';
import type { PipelineCatalogStore } from '../planning/catalog.js';

/**
 * GET /api/capabilities runs the capabilities graph (always fresh) and answers within its bound: when no
 * data-plane worker answers, with the control manifest and the data plane listed as unavailable.
 * GET /api/pipelines lists what users can submit, with whether the planes can run each one now.
 * GET /api/limits answers the upload limits in force (open without a key; see limits.ts).
 */
export async function capabilitiesRoutes(
  app: FastifyInstance,
  options: { manifests: ManifestSource; catalog: PipelineCatalogStore; limits: ApiLimits },
): Promise<void> {
  app.get('/api/limits', async (): Promise<ApiLimits> => options.limits);
  app.get('/api/capabilities', async (): Promise<CombinedManifest> => options.manifests.fetch());
  app.get('/api/pipelines', async () => {
    const manifest = await options.manifests.get();
    const advertised = new Set(manifest.services);
    const unknownPlanes = new Set(manifest.unavailable.map((u) => u.plane));
    return {
      default: options.catalog.defaultName,
      pipelines: options.catalog.publicPipelines().map((p) => ({
        ...p,
        available: p.services.every(
          (s) => advertised.has(s) || unknownPlanes.has(s.startsWith('python/') ? 'python' : 'node'),
        ),
        missing: p.services.filter((s) => !advertised.has(s)),
      })),
    };
  });
}
