/** Graphs, timings and waits shared by the multi-process integration tests. */
import type { Bus } from '@myspinbot/bus';
import type { WorkflowGraph } from '@myspinbot/contracts';

/** Short bus timings so reclaim and reset cases take seconds, not minutes. */
export const TIMINGS = {
  VISIBILITY_TIMEOUT_MS: '1500',
  HEARTBEAT_INTERVAL_MS: '300',
  RECLAIM_INTERVAL_MS: '250',
  BLOCK_MS: '200',
  RESET_CHECK_INTERVAL_MS: '500',
  DIAGNOSTICS: '1',
  DRAIN_TIMEOUT_MS: '2000',
};

let counter = 0;
export function crossPlaneGraph(
  dataParams: Record<string, unknown> = { ms: 200, steps: 4 },
  dataService = 'diag.sleep',
): WorkflowGraph {
  counter += 1;
  return {
    schema: 'langgraph.v1',
    workflowId: `dist-${process.pid}-${Date.now().toString(36)}-${counter}`,
    context: { prompt: 'integration' },
    metadata: { pipeline: 'test', createdAt: new Date().toISOString() },
    nodes: [
      { id: 'prepare', name: 'prepare', service: 'diag.echo', plane: 'node', status: 'pending' },
      {
        id: 'work',
        name: 'work',
        service: dataService,
        plane: 'python',
        status: 'pending',
        params: dataParams,
      },
      { id: 'finish', name: 'finish', service: 'diag.echo', plane: 'node', status: 'pending' },
    ],
    edges: [
      { from: 'prepare', to: 'work' },
      { from: 'work', to: 'finish' },
    ],
  };
}

export async function waitForEnd(bus: Bus, jobId: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const record = await bus.getJob(jobId);
    if (record && ['completed', 'failed', 'cancelled'].includes(record.status)) return record;
    if (Date.now() > deadline)
      throw new Error(`job ${jobId} did not end within ${timeoutMs} ms (last: ${record?.status})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function waitUntil(
  check: () => Promise<boolean>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
