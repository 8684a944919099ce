/**
 * Mirrors job state into the history: on every status event of a job, the record is read and upserted
 * (the history keeps the newest state; older writes are ignored). When a job reaches its terminal state,
 * its webhook (if any) is called once from here.
 */
import { type Bus, isTerminalStatus, type JobEventHub } from '@myspinbot/bus';
import type { JobHistory } from '@myspinbot/history';
import type { PinoLogger } from '@myspinbot/telemetry';
import { historyEntryFrom } from './job-service.js';
import type { WebhookSender } from './webhooks.js';

/** Pipelines that are plumbing, not user jobs. */
const UNRECORDED = new Set(['capabilities']);

export class HistoryRecorder {
  private off: (() => void) | null = null;
  private readonly pending = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();

  constructor(
    private readonly bus: Bus,
    private readonly hub: JobEventHub,
    private readonly history: JobHistory,
    private readonly webhooks: WebhookSender,
    private readonly logger: PinoLogger,
  ) {}

  start(): void {
    this.off = this.hub.onAny((event) => {
      if (event.type === 'status') this.schedule(event.jobId);
    });
  }

  async stop(): Promise<void> {
    this.off?.();
    await Promise.allSettled([...this.pending.values()]);
  }

  /** One write per job at a time; events that arrive meanwhile cause one more write afterwards. */
  private schedule(jobId: string): void {
    if (this.pending.has(jobId)) {
      this.again.add(jobId);
      return;
    }
    const run = this.record(jobId)
      .catch((error: unknown) => this.logger.warn({ err: error, jobId }, 'history write failed'))
      .finally(() => {
        this.pending.delete(jobId);
        if (this.again.delete(jobId)) this.schedule(jobId);
      });
    this.pending.set(jobId, run);
  }

  private async record(jobId: string): Promise<void> {
    const record = await this.bus.getJob(jobId);
    const pipeline = record?.graph?.metadata?.pipeline;
    if (!record || (pipeline && UNRECORDED.has(pipeline))) return;
    const previous = await this.history.get(jobId);
    const entry = historyEntryFrom(record, previous?.input ?? {});
    const wrote = await this.history.upsert(entry);
    if (wrote && isTerminalStatus(entry.status) && !(previous && isTerminalStatus(previous.status))) {
      this.webhooks.notify(entry);
    }
  }
}
