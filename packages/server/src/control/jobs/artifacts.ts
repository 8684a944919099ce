import { type ArtifactRef, artifactRefValidator, type WorkflowGraph } from '@myspinbot/contracts';

/**
 * Every artifact a job's graph refers to: the input uploads (context.inputs) and what each node output
 * lists under `artifacts` (the convention every service keeps). Deduplicated by key, in graph order.
 */
export function artifactsOfGraph(graph: WorkflowGraph | null): ArtifactRef[] {
  if (!graph) return [];
  const out = new Map<string, ArtifactRef>();
  const inputs = graph.context?.inputs;
  if (inputs && typeof inputs === 'object') {
    for (const ref of Object.values(inputs)) if (artifactRefValidator.is(ref)) out.set(ref.key, ref);
  }
  for (const node of graph.nodes) {
    const listed = node.output?.artifacts;
    if (!Array.isArray(listed)) continue;
    for (const ref of listed) if (artifactRefValidator.is(ref)) out.set(ref.key, ref);
  }
  return [...out.values()];
}

/** Where the API serves an artifact. */
export function artifactUrl(ref: ArtifactRef, base = ''): string {
  return `${base}/api/jobs/${ref.jobId}/artifacts/${encodeURIComponent(ref.nodeId)}/${encodeURIComponent(ref.name)}`;
}
