/**
 * Turns ComfyUI's per-node events into one fraction for the whole run.
 *
 * Rules:
 * - each node of the workflow weighs the same; a node counts as done once it was cached
 *   (execution_cached), produced output (executed), or ComfyUI moved on to another node (executing);
 * - the node being executed adds its progress value/max (sampler steps, frames) as a partial node;
 * - when the node count is unknown, the nodes seen so far plus one stand in for it;
 * - the reported fraction never goes down and stays below 1 until the run is finished.
 */
export class ComfyProgressTracker {
  private readonly known: ReadonlySet<string>;
  private readonly done = new Set<string>();
  private current: string | null = null;
  private currentFraction = 0;
  private reported = 0;
  private finishedRun = false;

  constructor(nodeIds: readonly string[] = []) {
    this.known = new Set(nodeIds);
  }

  cached(nodes: readonly string[]): void {
    for (const node of nodes) this.done.add(node);
  }

  executing(node: string | null): void {
    if (this.current !== null && this.current !== node) this.done.add(this.current);
    this.current = node;
    this.currentFraction = 0;
    if (node === null) this.finishedRun = true;
  }

  executed(node: string): void {
    this.done.add(node);
    if (this.current === node) this.currentFraction = 0;
  }

  progress(node: string | null, value: number, max: number): void {
    if (node !== null && node !== this.current) this.executing(node);
    if (!Number.isFinite(value) || !Number.isFinite(max) || max <= 0) return;
    this.currentFraction = Math.min(1, Math.max(0, value / max));
  }

  finished(): void {
    this.finishedRun = true;
  }

  /** The node ComfyUI is executing, if any. */
  get currentNode(): string | null {
    return this.current;
  }

  /** Fraction of the run done, 0..1, never lower than what it returned before. */
  fraction(): number {
    if (this.finishedRun) {
      this.reported = 1;
      return 1;
    }
    const seen = new Set([...this.known, ...this.done]);
    if (this.current !== null) seen.add(this.current);
    const total = this.known.size > 0 ? seen.size : seen.size + 1;
    const partial = this.current !== null && !this.done.has(this.current) ? this.currentFraction : 0;
    const raw = Math.min(0.999, (this.done.size + partial) / Math.max(1, total));
    this.reported = Math.max(this.reported, raw);
    return this.reported;
  }
}

/**
 * Wraps a progress callback so the fractions it passes on never decrease and map into [from, to].
 * The rule holds across phases: a later phase starting lower than an earlier one reported is lifted.
 */
export function progressRange(
  onProgress: ((fraction: number, message?: string) => void) | undefined,
): (from: number, to: number) => (fraction: number, message?: string) => void {
  let last = 0;
  return (from, to) => (fraction, message) => {
    if (onProgress === undefined) return;
    const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
    last = Math.max(last, from + (to - from) * clamped);
    onProgress(last, message);
  };
}
