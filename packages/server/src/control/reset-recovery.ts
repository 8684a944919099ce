/**
 * When Redis comes back empty (restarted without persistence), jobs that no executor holds are gone from
 * it: their entries and records. Executors re-register the jobs they hold themselves; this keeps the rest
 * from being silently lost. It remembers the initial graph of every active job it saw (from the event
 * stream), and after a reset, once the executors had time to re-register theirs, re-submits every
 * remembered job whose record is missing, visibly (a status event with a message).
 */
import type { Bus, JobEventHub } from '@myspinbot/bus';
import { isTerminalStatus } from '@myspinbot/bus';
import type { WorkflowGraph } from '@myspinbot/contracts';
import type { PinoLogger } from '@myspinbot/telemetry';
import { nextPlane, refreshReady } from '@myspinbot/workflow';

export class BusResetRecovery {
  private readonly active = new Map<string, WorkflowGraph | null>();
  private off: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly bus: Bus,
    private readonly hub: JobEventHub,
    private readonly logger: PinoLogger,
    private readonly graceMs: number,
  ) {}

  /** Jobs currently remembered (for tests and metrics). */
  get tracked(): number {
    return this.active.size;
  }

  start(): void {
    this.off = this.hub.onAny((event) => {
      if (event.type !== 'status' || event.status === undefined) return;
      if (isTerminalStatus(event.status)) {
        this.active.delete(event.jobId);
        return;
      }
      if (this.active.has(event.jobId)) return;
      this.active.set(event.jobId, null);
      this.bus
        .getJob(event.jobId)
        .then((record) => {
          if (record?.graph && this.active.has(event.jobId) && this.active.get(event.jobId) === null) {
            this.active.set(event.jobId, record.graph);
          }
        })
        .catch(() => {});
    });
    this.bus.on('reset', this.onReset);
  }

  stop(): void {
    this.off?.();
    this.bus.off('reset', this.onReset);
    if (this.timer) clearTimeout(this.timer);
  }

  private readonly onReset = (): void => {
    this.logger.error({ activeJobs: this.active.size }, 'Redis lost the bus state; checking active jobs');
    if (this.timer) clearTimeout(this.timer);
    // Executors detect the same reset within one check interval and re-register what they hold first.
    this.timer = setTimeout(
      () => {
        this.recover().catch((error: unknown) =>
          this.logger.error({ err: error }, 'recovery after reset failed'),
        );
      },
      this.graceMs * 2 + 500,
    );
    this.timer.unref();
  };

  private async recover(): Promise<void> {
    for (const [jobId, initial] of this.active) {
      if (await this.bus.getJob(jobId)) continue;
      if (!initial) {
        this.logger.error(
          { jobId },
          'job lost with the Redis state and its graph is unknown here; it cannot be re-queued',
        );
        this.active.delete(jobId);
        continue;
      }
      const graph = refreshReady({
        ...initial,
        nodes: initial.nodes.map((n) => ({ ...n, status: 'pending' as const })) as WorkflowGraph['nodes'],
      });
      const plane = nextPlane(graph);
      if (plane === null) continue;
      if (!(await this.bus.submit(graph, plane))) {
        // A record appeared since the check (its executor re-registered it): nothing to re-queue, and
        // nothing to announce.
        this.logger.warn({ jobId }, 'job not re-queued after Redis lost its state: its record exists again');
        continue;
      }
      await this.bus.publish({
        type: 'status',
        jobId,
        at: new Date().toISOString(),
        status: 'queued',
        progress: 0,
        message: 'Redis lost its state; the job was re-queued from the start',
      });
      this.logger.warn({ jobId, plane }, 'job re-queued after Redis lost its state');
    }
  }
}
