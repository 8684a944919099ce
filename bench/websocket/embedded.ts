/**
 * The real server for the WebSocket suite: the embedded process composed as in production
 * (startControlProcess: memory bus, both planes, HTTP + /ws), in this process. Each client's job is a real
 * job running diag.sleep on the data plane that reports progress every `everyMs`; the events the clients
 * should see are the progress events of those jobs, taken from the process's own event hub.
 * A data-plane executor runs at most 64 jobs (config schema), so more jobs get more data-plane executors on
 * the same bus, composed the way the process composes its own (createPlaneExecutor).
 */
import { EventEmitter } from 'node:events';
import type { PlaneExecutor } from '@myspinbot/runtime';
import { createPlaneExecutor, type PlaneDeps } from '@myspinbot/services';
import { startEmbeddedProcess } from '../embedded-process.js';
import { benchJobId, sleepJob } from '../orchestration/graphs.js';
import { sleep } from '../stats.js';
import type { PhaseServer } from './phase.js';
import { EventLog } from './protocol.js';

export interface EmbeddedServer extends PhaseServer {
  stop(): Promise<void>;
}

const PER_EXECUTOR = 64;

/**
 * Starts `jobs` jobs whose first progress reports are spread over `spreadMs` (jobs are submitted at an
 * even pace), so that, as with jobs started by independent users, their updates are not all due at once.
 */
export async function startEmbedded(
  jobs: number,
  everyMs: number,
  jobMs: number,
  spreadMs: number,
  capacity: number,
): Promise<EmbeddedServer> {
  // The bench composes up to 16 data-plane executors on one bus; each listens for the bus's 'reset'.
  EventEmitter.defaultMaxListeners = Math.max(EventEmitter.defaultMaxListeners, 64);
  const {
    proc,
    config,
    stop: stopProcess,
  } = await startEmbeddedProcess({
    DIAGNOSTICS: '1',
    WORKER_CONCURRENCY: String(PER_EXECUTOR),
    DRAIN_TIMEOUT_MS: '200',
  });
  const extra: PlaneExecutor<PlaneDeps>[] = [];
  const stop = async () => {
    await Promise.all(extra.map((executor) => executor.stop(200)));
    await stopProcess();
  };
  try {
    for (let running = PER_EXECUTOR; running < jobs; running += PER_EXECUTOR) {
      const executor = createPlaneExecutor({
        plane: 'python',
        config,
        bus: proc.bus,
        store: proc.store,
        logger: proc.logger,
      });
      await executor.start();
      extra.push(executor);
    }
    const busy = () => extra.reduce((sum, e) => sum + e.busy, proc.data?.busy ?? 0);
    const jobIds: string[] = [];
    const start = performance.now();
    for (let i = 0; i < jobs; i++) {
      const due = start + (i * spreadMs) / jobs;
      if (due > performance.now()) await sleep(due - performance.now());
      const graph = sleepJob(benchJobId('ws'), jobMs, everyMs);
      await proc.bus.submit(graph, 'python');
      jobIds.push(graph.workflowId);
    }
    const deadline = performance.now() + 60_000;
    while (busy() < jobs) {
      if (performance.now() > deadline) throw new Error(`only ${busy()} of ${jobs} jobs started`);
      await sleep(50);
    }
    const index = new Map(jobIds.map((id, i) => [id, i]));
    const log = new EventLog(capacity);
    const off = proc.hub.onAny((event) => {
      if (event.type !== 'progress') return;
      const job = index.get(event.jobId);
      if (job !== undefined) log.add(job, Date.parse(event.at));
    });
    return {
      url: `${proc.url.replace(/^http/, 'ws')}/ws`,
      jobIds,
      open: () => log.open(),
      close: () => log.close(),
      expected: () => {
        off();
        return log.expected();
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
