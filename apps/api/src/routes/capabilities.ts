import { randomUUID } from 'node:crypto';
import type { Bus, JobEventHub } from '@myspinbot/bus';
import { type CombinedManifest, combinedManifestValidator, type PlaneManifest } from '@myspinbot/contracts';
import { capabilitiesGraph, combineManifests } from '@myspinbot/services';
import type { FastifyInstance } from 'fastify';

export interface CapabilitiesOptions {
  bus: Bus;
  hub: JobEventHub;
  /** The control plane's own manifest (always available: it runs in this process). */
  controlManifest: () => PlaneManifest;
  timeoutMs: number;
}

/**
 * Runs the two-node capabilities graph (data get_capabilities -> control capabilities.getManifest) and
 * answers with its output. When no data-plane worker answers within timeoutMs, the answer still comes:
 * the control manifest, and the data plane listed as unavailable with the reason.
 */
export async function capabilitiesRoutes(app: FastifyInstance, options: CapabilitiesOptions): Promise<void> {
  app.get('/api/capabilities', async (): Promise<CombinedManifest> => {
    const jobId = `capabilities-${randomUUID()}`;
    await options.bus.submit(capabilitiesGraph(jobId), 'python', { ttlSeconds: 300 });
    const record = await options.hub.waitForTerminal(jobId, options.timeoutMs);
    const merged = record?.graph?.nodes.find((n) => n.id === 'merge')?.output;
    if (record?.status === 'completed' && combinedManifestValidator.is(merged)) return merged;
    let reason: string;
    if (record === null) {
      reason = `no data-plane worker answered within ${options.timeoutMs} ms`;
      // Nobody took it: make sure a worker that comes up later does not run it.
      await options.bus.requestCancel(jobId, reason);
    } else {
      reason = `the capabilities job ended ${record.status}: ${record.error?.message ?? 'no manifest'}`;
    }
    return combineManifests(options.controlManifest(), null, [{ plane: 'python', reason }]);
  });
}
