/**
 * The jobs the reliability suite runs: prepare (control plane, diag.echo) -> one data-plane node ->
 * finish (control plane, diag.echo), so every job crosses the planes twice and is finished by the control
 * executor, as the real pipelines are.
 */
import { randomBytes } from 'node:crypto';
import type { WorkflowGraph } from '@myspinbot/contracts';

let counter = 0;

/** A job id unique across runs (matches ^[A-Za-z0-9_-]{1,64}$). */
export function reliabilityJobId(label: string): string {
  counter += 1;
  return `rel-${label}-${randomBytes(4).toString('hex')}-${counter}`;
}

/** A random integer in [min, max]. */
export function randomBetween(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}

export function crossPlaneJob(
  label: string,
  service: string,
  params: Record<string, unknown>,
): WorkflowGraph {
  return {
    schema: 'langgraph.v1',
    workflowId: reliabilityJobId(label),
    context: { prompt: 'reliability bench' },
    metadata: { pipeline: 'bench', createdAt: new Date().toISOString() },
    nodes: [
      { id: 'prepare', name: 'prepare', service: 'diag.echo', plane: 'node', status: 'pending' },
      { id: 'work', name: 'work', service, plane: 'python', status: 'pending', params },
      { id: 'finish', name: 'finish', service: 'diag.echo', plane: 'node', status: 'pending' },
    ],
    edges: [
      { from: 'prepare', to: 'work' },
      { from: 'work', to: 'finish' },
    ],
  };
}

/** Attempts of the data node in a graph (1 when it ran once). */
export function workAttempts(graph: WorkflowGraph | null | undefined): number {
  return graph?.nodes.find((n) => n.id === 'work')?.attempts ?? 0;
}
