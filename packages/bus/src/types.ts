/**
 * The bus contract between the planes. Two implementations keep it: RedisBus (Redis Streams, consumer
 * groups, Lua scripts) and MemoryBus (in-process, for the embedded mode). One conformance suite
 * (test/conformance.ts) runs against both.
 */
import type { JobEvent, JobFailure, JobStatus, NodeError, Plane, WorkflowGraph } from '@myspinbot/contracts';

/** One entry handed to a consumer. `fields` are the raw stream fields; they may be malformed. */
export interface Delivery {
  readonly plane: Plane;
  readonly entryId: string;
  readonly consumer: string;
  readonly fields: Readonly<Record<string, string>>;
  /** How many times the entry has been delivered, this delivery included. */
  readonly deliveries: number;
}

/** The job record: the latest persisted graph plus the summary clients read. */
export interface JobRecord {
  jobId: string;
  status: JobStatus;
  progress: number;
  /** The latest persisted graph (parsed JSON; validated by whoever wrote it). */
  graph: WorkflowGraph | null;
  /** Plane whose stream holds the job, or that runs it now. */
  plane: Plane | null;
  createdAt: string;
  updatedAt: string;
  error: JobFailure | null;
  cancelRequested: boolean;
}

/**
 * Outcome of an ownership-checked transition. 'ok' means it happened atomically. 'lost' means the
 * consumer no longer owns the entry (reclaimed by another consumer, already acked, or Redis lost it):
 * nothing was written. 'cancelled' means the job's cancel flag is set: nothing was written and the caller
 * should finish the job as cancelled.
 */
export type TransitionOutcome = 'ok' | 'lost' | 'cancelled';

/** What a transition writes to the job record, beside the graph. */
export interface RecordUpdate {
  graph: WorkflowGraph;
  status: JobStatus;
  progress: number;
  error?: JobFailure | null;
  /** Published on the events channel in the same atomic step. */
  event: JobEvent;
}

export interface SubmitOptions {
  /** Seconds the record lives after its last write (defaults to the bus config). */
  ttlSeconds?: number;
}

export interface PlaneStats {
  plane: Plane;
  /** Entries in the stream (acknowledged ones count until trimmed). */
  length: number;
  /** Entries delivered and not yet acknowledged. */
  pending: number;
  /** Entries not yet delivered to any consumer. */
  lag: number;
  consumers: number;
}

export interface DeadLetter {
  id: string;
  plane: Plane;
  entryId: string;
  jobId: string | null;
  code: string;
  message: string;
  deliveries: number;
  at: string;
  /** The raw fields of the entry (graph text truncated). */
  fields: Record<string, string>;
}

export type ControlMessage = { type: 'cancel'; jobId: string; reason?: string };

export type Unsubscribe = () => Promise<void>;

/** Emitted by the bus about itself (not about jobs). */
export interface BusEvents {
  /** The backing store lost its state (a Redis restarted without persistence). */
  reset: () => void;
  /** Connection state changes, for logs and /ready. */
  connection: (state: 'up' | 'down') => void;
  error: (error: Error) => void;
}

export interface Bus {
  readonly kind: 'redis' | 'memory';
  /** Creates streams, groups and the state marker; idempotent. */
  init(): Promise<void>;
  close(): Promise<void>;
  /** Liveness of the backing store (PING). */
  ping(): Promise<boolean>;

  /** Creates the job record (status queued) and enqueues the graph on `plane`, atomically. False if the job exists. */
  submit(graph: WorkflowGraph, plane: Plane, options?: SubmitOptions): Promise<boolean>;
  getJob(jobId: string): Promise<JobRecord | null>;
  deleteJob(jobId: string): Promise<boolean>;
  /**
   * Re-creates the record of a job whose state the store lost, from the graph an executor holds, and
   * enqueues it on `plane` (null: record only). No ownership check: the old entry is gone.
   */
  requeue(graph: WorkflowGraph, plane: Plane | null, update: RecordUpdate): Promise<void>;

  /** New entries for this consumer (XREADGROUP >), waiting up to blockMs. */
  read(plane: Plane, consumer: string, count: number, blockMs: number): Promise<Delivery[]>;
  /** Entries idle for at least minIdleMs in any consumer's pending list, now owned by `consumer`. */
  reclaim(plane: Plane, consumer: string, minIdleMs: number, count: number): Promise<Delivery[]>;
  /** Refreshes the claim on entries this consumer still owns; returns the ids it still owns. */
  heartbeat(plane: Plane, consumer: string, entryIds: readonly string[]): Promise<string[]>;

  /** Persists the running graph (checkpoint) and publishes its event, if `delivery` is still owned. */
  checkpoint(delivery: Delivery, update: RecordUpdate): Promise<TransitionOutcome>;
  /** Persists the graph, enqueues it on `next`, acknowledges `delivery` and publishes, in one atomic step. */
  handoff(delivery: Delivery, next: Plane, update: RecordUpdate): Promise<TransitionOutcome>;
  /** Persists a terminal graph, acknowledges `delivery` and publishes, in one atomic step. */
  finish(delivery: Delivery, update: RecordUpdate): Promise<TransitionOutcome>;
  /** Re-enqueues the graph on the delivery's own plane and acknowledges it (graceful release). */
  release(delivery: Delivery, graph: WorkflowGraph): Promise<TransitionOutcome>;
  /** Moves the entry to the dead-letter stream, acknowledges it, and fails its job with `error`. */
  deadLetter(delivery: Delivery, error: NodeError, graph?: WorkflowGraph): Promise<void>;
  listDeadLetters(count: number): Promise<DeadLetter[]>;

  /** Progress that needs no ownership: updates the record's progress and publishes the event. */
  reportProgress(event: JobEvent): Promise<void>;
  publish(event: JobEvent): Promise<void>;
  subscribe(handler: (event: JobEvent) => void): Promise<Unsubscribe>;

  /**
   * Re-runs a failed or cancelled job from `graph` (prepared for retry: completed nodes kept), enqueued on
   * `plane`, atomically; false when the job is unknown or not failed/cancelled.
   */
  retry(graph: WorkflowGraph, plane: Plane): Promise<boolean>;

  /** Sets the cancel flag on the job record and tells every executor. Null when the job is unknown. */
  requestCancel(jobId: string, reason?: string): Promise<JobRecord | null>;
  onControl(handler: (message: ControlMessage) => void): Promise<Unsubscribe>;

  /**
   * True for the first caller of `name` among every process on this bus, until `ttlSeconds` passed; false
   * for every other caller meanwhile. For work that must happen once per job whichever replica sees it
   * (webhooks).
   */
  claimOnce(name: string, ttlSeconds: number): Promise<boolean>;

  /** Removes acknowledged entries older than every pending or undelivered one; returns how many. */
  trim(plane: Plane): Promise<number>;
  stats(plane: Plane): Promise<PlaneStats>;
  /** Position (0-based) of the job among undelivered entries of `plane`, or null if not waiting there. */
  queuePosition(plane: Plane, jobId: string): Promise<number | null>;
  /** Checks that the backing store still holds the bus state; re-creates it and emits 'reset' if not. */
  checkState(): Promise<'ok' | 'reset'>;

  on<E extends keyof BusEvents>(event: E, listener: BusEvents[E]): void;
  off<E extends keyof BusEvents>(event: E, listener: BusEvents[E]): void;
}
