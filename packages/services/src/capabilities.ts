/**
 * The capabilities pipeline: data `get_capabilities` -> control `capabilities.getManifest`. The data
 * plane reports its manifest; the control plane merges it with its own into a CombinedManifest.
 */
import {
  type CombinedManifest,
  MySpinBotError,
  type PlaneManifest,
  planeManifestValidator,
  type WorkflowGraph,
} from '@myspinbot/contracts';
import type { ServiceDefinition } from '@myspinbot/runtime';
import type { PlaneDeps } from './deps.js';

export const CAPABILITIES_PIPELINE = 'capabilities';

export const getCapabilities: ServiceDefinition<PlaneDeps> = {
  name: 'get_capabilities',
  plane: 'python',
  description: 'Reports the data plane manifest (services and engines available on this worker)',
  timeoutMs: 10_000,
  async run(_input, ctx) {
    return { manifest: ctx.deps.manifest() };
  },
};

/** Every service of both planes as 'plane/service', sorted. */
export function serviceList(manifests: readonly (PlaneManifest | null)[]): string[] {
  return manifests.flatMap((m) => (m ? m.services.map((s) => `${m.plane}/${s.name}`) : [])).sort();
}

export function combineManifests(
  control: PlaneManifest | null,
  data: PlaneManifest | null,
  unavailable: CombinedManifest['unavailable'] = [],
): CombinedManifest {
  return {
    planes: { node: control, python: data },
    services: serviceList([control, data]),
    unavailable,
    generatedAt: new Date().toISOString(),
  };
}

export const getManifest: ServiceDefinition<PlaneDeps> = {
  name: 'capabilities.getManifest',
  plane: 'node',
  description: 'Merges the data plane manifest with the control plane manifest',
  timeoutMs: 10_000,
  async run(input, ctx) {
    const reported = Object.values(input).find(
      (value): value is { manifest: unknown } =>
        typeof value === 'object' && value !== null && 'manifest' in value,
    );
    if (!reported) {
      throw new MySpinBotError(
        'NODE_INPUT_INVALID',
        'capabilities.getManifest needs the output of get_capabilities',
      );
    }
    const data = planeManifestValidator.parse(reported.manifest, 'NODE_INPUT_INVALID');
    return { ...combineManifests(ctx.deps.manifest(), data) };
  },
};

/** The two-node cross-plane graph GET /api/capabilities runs. */
export function capabilitiesGraph(jobId: string): WorkflowGraph {
  return {
    schema: 'langgraph.v1',
    workflowId: jobId,
    context: {},
    metadata: { pipeline: CAPABILITIES_PIPELINE, createdAt: new Date().toISOString() },
    nodes: [
      {
        id: 'worker',
        name: 'Data plane manifest',
        service: 'get_capabilities',
        plane: 'python',
        status: 'pending',
      },
      {
        id: 'merge',
        name: 'Combined manifest',
        service: 'capabilities.getManifest',
        plane: 'node',
        status: 'pending',
      },
    ],
    edges: [{ from: 'worker', to: 'merge', kind: 'data' }],
  };
}
