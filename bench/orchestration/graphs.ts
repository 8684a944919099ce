/** The workflow graphs the benchmarks run: diagnostic services only, so what is timed is the engine. */
import { randomBytes } from 'node:crypto';
import type { GraphNode, Plane, WorkflowGraph } from '@myspinbot/contracts';

let counter = 0;

/** A job id unique across runs and processes (matches ^[A-Za-z0-9_-]{1,64}$). */
export function benchJobId(label: string): string {
  counter += 1;
  return `${label}-${randomBytes(4).toString('hex')}-${counter}`;
}

export const otherPlane = (plane: Plane): Plane => (plane === 'node' ? 'python' : 'node');

function graphOf(jobId: string, nodes: GraphNode[]): WorkflowGraph {
  return {
    schema: 'langgraph.v1',
    workflowId: jobId,
    context: { prompt: 'bench' },
    metadata: { pipeline: 'bench', createdAt: new Date().toISOString() },
    nodes,
    edges: nodes.slice(1).map((node, i) => ({ from: nodes[i]?.id ?? '', to: node.id })),
  };
}

/** `length` diag.noop nodes in a chain whose planes alternate, starting on `first`: length - 1 handoffs. */
export function noopChain(jobId: string, length: number, first: Plane = 'node'): WorkflowGraph {
  const nodes: GraphNode[] = [];
  let plane = first;
  for (let i = 0; i < length; i++) {
    nodes.push({ id: `n${i}`, name: `noop ${i}`, service: 'diag.noop', plane, status: 'pending' });
    plane = otherPlane(plane);
  }
  return graphOf(jobId, nodes);
}

/** One diag.sleep node on the data plane reporting progress every `everyMs` for `ms`. */
export function sleepJob(jobId: string, ms: number, everyMs: number): WorkflowGraph {
  const steps = Math.max(1, Math.round(ms / everyMs));
  return graphOf(jobId, [
    {
      id: 'sleep',
      name: 'sleep',
      service: 'diag.sleep',
      plane: 'python',
      status: 'pending',
      params: { ms, steps },
    },
  ]);
}
