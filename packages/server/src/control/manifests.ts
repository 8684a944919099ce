/**
 * What the planes can run. The control plane's manifest is local; the data plane's comes from running the
 * capabilities graph (data get_capabilities -> control capabilities.getManifest), bounded in time. The
 * planner uses a cached copy: a combined manifest is reused for `ttlMs`, an unanswered one for a few
 * seconds, so a burst of submissions does not run a capabilities job each.
 */
import { randomUUID } from 'node:crypto';
import type { Bus, JobEventHub } from '@myspinbot/bus';
import { type CombinedManifest, combinedManifestValidator, type PlaneManifest } from '@myspinbot/contracts';
import { capabilitiesGraph, combineManifests } from '@myspinbot/services';
import type { KnownServices } from '@myspinbot/workflow';

export interface ManifestSourceOptions {
  bus: Bus;
  hub: JobEventHub;
  controlManifest: () => PlaneManifest;
  timeoutMs: number;
  ttlMs?: number;
}

export class ManifestSource {
  private cached: { manifest: CombinedManifest; until: number } | null = null;
  private inflight: Promise<CombinedManifest> | null = null;

  constructor(private readonly options: ManifestSourceOptions) {}

  /** Runs the capabilities graph now. */
  async fetch(): Promise<CombinedManifest> {
    const { bus, hub, timeoutMs } = this.options;
    const jobId = `capabilities-${randomUUID()}`;
    await bus.submit(capabilitiesGraph(jobId), 'python', { ttlSeconds: 300 });
    const record = await hub.waitForTerminal(jobId, timeoutMs);
    const merged = record?.graph?.nodes.find((n) => n.id === 'merge')?.output;
    let manifest: CombinedManifest;
    if (record?.status === 'completed' && combinedManifestValidator.is(merged)) {
      manifest = merged;
    } else {
      let reason: string;
      if (record === null) {
        reason = `no data-plane worker answered within ${timeoutMs} ms`;
        // Nobody took it: make sure a worker that comes up later does not run it.
        await bus.requestCancel(jobId, reason);
      } else {
        reason = `the capabilities job ended ${record.status}: ${record.error?.message ?? 'no manifest'}`;
      }
      manifest = combineManifests(this.options.controlManifest(), null, [{ plane: 'python', reason }]);
    }
    const answered = manifest.unavailable.length === 0;
    this.cached = { manifest, until: Date.now() + (answered ? (this.options.ttlMs ?? 30_000) : 5_000) };
    return manifest;
  }

  /** The cached manifest while fresh, else a new one (concurrent callers share one fetch). */
  async get(): Promise<CombinedManifest> {
    if (this.cached && this.cached.until > Date.now()) return this.cached.manifest;
    this.inflight ??= this.fetch().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  /** Services per plane for the planner; a plane that did not answer is left out (not checked). */
  async knownServices(): Promise<KnownServices> {
    const manifest = await this.get();
    const known: KnownServices = {};
    for (const plane of ['node', 'python'] as const) {
      const m = manifest.planes[plane];
      if (m) known[plane] = m.services.map((s) => s.name);
    }
    return known;
  }
}
