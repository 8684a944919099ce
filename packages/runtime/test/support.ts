import type { Bus } from '@myspinbot/bus';
import type { GraphEdge, GraphNode, JobEvent, WorkflowGraph } from '@myspinbot/contracts';

let counter = 0;

export function graphOf(
  nodes: Omit<GraphNode, 'status' | 'name'>[],
  edges: GraphEdge[],
  context = {},
): WorkflowGraph {
  counter += 1;
  const full = nodes.map((n) => ({ ...n, name: n.id, status: 'pending' as const }));
  const [first, ...rest] = full;
  if (!first) throw new Error('a graph needs a node');
  return {
    schema: 'langgraph.v1',
    workflowId: `rt-${process.pid}-${Date.now().toString(36)}-${counter}`,
    context,
    metadata: { pipeline: 'test', createdAt: new Date().toISOString() },
    nodes: [first, ...rest],
    edges,
  };
}

/** Resolves with the job's final record once a terminal status event arrives (or rejects after timeoutMs). */
export async function waitForTerminal(bus: Bus, jobId: string, timeoutMs = 10_000) {
  const events: JobEvent[] = [];
  let stop: (() => Promise<void>) | null = null;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`job ${jobId} did not end within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const check = async () => {
        const record = await bus.getJob(jobId);
        if (record && ['completed', 'failed', 'cancelled'].includes(record.status)) {
          clearTimeout(timer);
          resolve();
        }
      };
      bus
        .subscribe((event) => {
          if (event.jobId !== jobId) return;
          events.push(event);
          if (event.type === 'status') void check();
        })
        .then((unsubscribe) => {
          stop = unsubscribe;
          return check();
        })
        .catch(reject);
    });
  } finally {
    await (stop as (() => Promise<void>) | null)?.();
  }
  const record = await bus.getJob(jobId);
  if (!record) throw new Error(`job ${jobId} vanished`);
  return { record, events };
}

/**
 * `inner` with some methods replaced; every other method runs on `inner` itself (not on a copy), so the
 * bus keeps one set of connections and subscriptions.
 */
export function withOverrides<T extends object>(inner: T, overrides: Partial<Record<keyof T, unknown>>): T {
  return new Proxy(inner, {
    get(target, property) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof T];
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
