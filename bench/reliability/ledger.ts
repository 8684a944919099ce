/**
 * The suite's books: every job it submits, every terminal status event each one got (from P:events), the
 * visible status messages (re-registered, re-queued), and the record's final state. A job is lost when it
 * never reached a terminal state within the settle timeout and no record or event says why; it ended twice
 * when more than one terminal event arrived for it. Records are polled as well as events heard, since a
 * subscriber that reconnects after a Redis restart can miss an event the record still shows.
 */
import { type Bus, isTerminalStatus, type JobRecord } from '@myspinbot/bus';
import type { JobStatus, WorkflowGraph } from '@myspinbot/contracts';
import { sleep } from '../stats.js';

export interface JobTrack {
  jobId: string;
  kind: string;
  submittedAt: number;
  /** Terminal status events heard, in order, with their message (if any). */
  terminalEvents: JobStatus[];
  terminalMessages: string[];
  /** Final state: from the first terminal event or record seen. */
  end: { status: JobStatus; reason: string; at: number } | null;
  /** Non-terminal status messages (a job re-registered or re-queued after a reset says so). */
  messages: string[];
  /** The last record read (null when none, e.g. after Redis came back empty). */
  record: JobRecord | null;
}

export interface LedgerSummary {
  submitted: number;
  completed: number;
  /** Failed or cancelled, with the reason the record or the event gave. */
  failedWithReason: number;
  /** Failed or cancelled without any reason: not "visible". */
  failedSilently: number;
  lost: number;
  endedTwice: number;
  lostIds: string[];
}

export class JobLedger {
  readonly jobs = new Map<string, JobTrack>();
  private unsubscribe: (() => Promise<void>) | null = null;
  private poller: NodeJS.Timeout | null = null;
  private polling = false;
  /** Called once per job when its end is first known. */
  onEnd: ((track: JobTrack) => void) | null = null;

  constructor(private readonly bus: Bus) {}

  async start(pollMs = 0): Promise<void> {
    this.unsubscribe = await this.bus.subscribe((event) => {
      if (event.type !== 'status' || event.status === undefined) return;
      const track = this.jobs.get(event.jobId);
      if (!track) return;
      if (isTerminalStatus(event.status)) {
        track.terminalEvents.push(event.status);
        track.terminalMessages.push(event.message ?? '');
        const reason = event.error?.message ?? event.message ?? '';
        this.ended(track, event.status, reason);
      } else if (event.message) {
        track.messages.push(event.message);
      }
    });
    if (pollMs > 0) {
      this.poller = setInterval(() => void this.poll(), pollMs);
      this.poller.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.poller) clearInterval(this.poller);
    this.poller = null;
    await this.unsubscribe?.();
  }

  track(graph: WorkflowGraph, kind: string): JobTrack {
    const track: JobTrack = {
      jobId: graph.workflowId,
      kind,
      submittedAt: Date.now(),
      terminalEvents: [],
      terminalMessages: [],
      end: null,
      messages: [],
      record: null,
    };
    this.jobs.set(track.jobId, track);
    return track;
  }

  private ended(track: JobTrack, status: JobStatus, reason: string): void {
    if (track.end) return;
    track.end = { status, reason, at: Date.now() };
    this.onEnd?.(track);
  }

  /** Jobs without a known end. */
  open(kind?: string): JobTrack[] {
    return [...this.jobs.values()].filter((t) => t.end === null && (kind === undefined || t.kind === kind));
  }

  /** Reads the record of every open job; a terminal record ends it. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      await Promise.all(
        this.open().map(async (track) => {
          const record = await this.bus.getJob(track.jobId);
          track.record = record;
          if (record && isTerminalStatus(record.status)) {
            this.ended(track, record.status, record.error?.message ?? '');
          }
        }),
      );
    } catch {
      // Redis is down this moment: the next poll reads again.
    } finally {
      this.polling = false;
    }
  }

  /** Waits until every job of `kind` (all when undefined) has ended, or `timeoutMs`. */
  async settle(timeoutMs: number, kind?: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.open(kind).length > 0 && Date.now() < deadline) {
      await this.poll();
      await sleep(200);
    }
    // Terminal events published with the last finishes may still be on their way.
    await sleep(300);
  }

  summary(kind?: string): LedgerSummary {
    const tracks = [...this.jobs.values()].filter((t) => kind === undefined || t.kind === kind);
    const lost = tracks.filter((t) => t.end === null);
    const failed = tracks.filter((t) => t.end !== null && t.end.status !== 'completed');
    return {
      submitted: tracks.length,
      completed: tracks.filter((t) => t.end?.status === 'completed').length,
      failedWithReason: failed.filter((t) => (t.end?.reason ?? '') !== '').length,
      failedSilently: failed.filter((t) => (t.end?.reason ?? '') === '').length,
      lost: lost.length,
      endedTwice: tracks.filter((t) => t.terminalEvents.length > 1).length,
      lostIds: lost.map((t) => t.jobId),
    };
  }
}
