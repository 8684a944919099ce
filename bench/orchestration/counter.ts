/**
 * Counts an executor's successful handoffs while a measurement window is open, and its CPU meanwhile. A
 * job's last step, its finish, is one script like a handoff and counts as one: otherwise the executor
 * that happens to run the last node of each chain would look slower for doing the same work.
 */
import type { ExecutorHooks } from '@myspinbot/runtime';

export class HandoffCounter {
  handoffs = 0;
  private open = false;
  private cpuAtOpen: NodeJS.CpuUsage | null = null;
  /** CPU ms of this process while the window was open. */
  cpuMs = 0;

  readonly hooks: ExecutorHooks = {
    onTransition: ({ kind, outcome }) => {
      if (this.open && (kind === 'handoff' || kind === 'finish') && outcome === 'ok') this.handoffs += 1;
    },
  };

  start(): void {
    this.handoffs = 0;
    this.open = true;
    this.cpuAtOpen = process.cpuUsage();
  }

  stop(): void {
    this.open = false;
    const used = process.cpuUsage(this.cpuAtOpen ?? undefined);
    this.cpuMs = (used.user + used.system) / 1000;
  }
}
