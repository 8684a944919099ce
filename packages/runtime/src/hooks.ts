/** Points where the entry points attach metrics; the executor calls them and never depends on prom-client. */
import type { JobStatus, Plane } from '@myspinbot/contracts';

export type TransitionKind = 'handoff' | 'finish' | 'release' | 'requeue';

export interface ExecutorHooks {
  onNodeFinished?(event: {
    plane: Plane;
    service: string;
    status: 'completed' | 'failed';
    code?: string;
    durationMs: number;
  }): void;
  onTransition?(event: { plane: Plane; kind: TransitionKind; outcome: string; durationMs: number }): void;
  onJobFinished?(event: { plane: Plane; status: JobStatus; pipeline: string; durationMs: number }): void;
  onReclaim?(event: { plane: Plane; count: number }): void;
  onDeadLetter?(event: { plane: Plane; code: string }): void;
  onReset?(event: { plane: Plane; orphaned: number }): void;
}
