/**
 * Numbers for the benchmark rows: percentiles (nearest rank on sorted samples), ratios, formatting, and the
 * one loop every measurement uses, bounded both in iterations and in time.
 */

export interface Summary {
  n: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of ascending `sorted` (p in 0..100); NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? Number.NaN;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = sorted.reduce((sum, x) => sum + x, 0);
  return {
    n: sorted.length,
    min: sorted[0] ?? Number.NaN,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean: sorted.length === 0 ? Number.NaN : total / sorted.length,
  };
}

export function median(samples: readonly number[]): number {
  return summarize(samples).p50;
}

/** value / baseline, or null when either is not a positive finite number. */
export function ratio(value: number, baseline: number): number | null {
  if (!Number.isFinite(value) || !Number.isFinite(baseline) || baseline <= 0) return null;
  return value / baseline;
}

/** Three significant digits at most, no exponent for the ranges a benchmark prints. */
export function fmtNum(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  const abs = Math.abs(x);
  if (abs >= 100) return Math.round(x).toLocaleString('en-US');
  if (abs >= 10) return x.toFixed(1);
  if (abs >= 1) return x.toFixed(2);
  return x.toFixed(3);
}

export function fmtMs(ms: number): string {
  return `${fmtNum(ms)} ms`;
}

export function fmtRatio(r: number | null): string {
  return r === null ? 'n/a' : `${r.toFixed(2)}x`;
}

export function fmtBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'n/a';
  const abs = Math.abs(bytes);
  if (abs >= 1 << 20) return `${fmtNum(bytes / (1 << 20))} MiB`;
  if (abs >= 1 << 10) return `${fmtNum(bytes / (1 << 10))} KiB`;
  return `${Math.round(bytes)} B`;
}

/** "p50 0.41 ms (p99 1.20, n 2000)" */
export function fmtLatency(s: Summary): string {
  return `p50 ${fmtMs(s.p50)} (p99 ${fmtNum(s.p99)}, n ${s.n})`;
}

export interface LoopBounds {
  /** Most iterations. */
  count: number;
  /** Most wall time (ms); the iteration running when it passes is the last. */
  ms: number;
}

/** Runs `body` sequentially until `count` iterations or `ms` milliseconds; answers how many ran. */
export async function boundedLoop(bounds: LoopBounds, body: (i: number) => Promise<void>): Promise<number> {
  const deadline = performance.now() + bounds.ms;
  let i = 0;
  while (i < bounds.count && performance.now() < deadline) {
    await body(i);
    i += 1;
  }
  return i;
}

/** Resolves `promise`, or rejects after `ms` with an error naming `what` (no bench step waits forever). */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
