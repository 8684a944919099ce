/**
 * What the numbers were measured on, and the process-level meters the suites share: load, CPU seconds
 * (this process and its waited-for children, from /proc), memory after a full GC, and Redis's own CPU.
 */
import { readFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Redis } from 'ioredis';

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
}

export function machine(): Machine {
  const list = cpus();
  return {
    cores: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** 1, 5 and 15 minute load averages, two decimals. */
export function load(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(' / ');
}

/**
 * CPU seconds of this process and of its finished, waited-for children (ffmpeg), from /proc/self/stat
 * (Linux; fields 14-17 are utime, stime, cutime, cstime in clock ticks of 1/100 s).
 */
export async function cpuSeconds(): Promise<{ self: number; children: number }> {
  const stat = await readFile('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const at = (field: number): number => Number(fields[field - 3] ?? 0) / 100;
  return { self: at(14) + at(15), children: at(16) + at(17) };
}

let collect: (() => void) | null | undefined;

/** A full garbage collection, so memory deltas compare live objects (exposes V8's gc once). */
export function fullGc(): void {
  if (collect === undefined) {
    setFlagsFromString('--expose-gc');
    const found: unknown = runInNewContext('typeof gc === "function" ? gc : null');
    collect = typeof found === 'function' ? () => void found() : null;
  }
  collect?.();
  collect?.();
}

export interface MemorySample {
  rss: number;
  heapUsed: number;
  external: number;
}

/** Memory after a full GC. */
export function memoryNow(): MemorySample {
  fullGc();
  const usage = process.memoryUsage();
  return { rss: usage.rss, heapUsed: usage.heapUsed, external: usage.external + usage.arrayBuffers };
}

/** Seconds of CPU the Redis server has used so far (INFO cpu, user + system). */
export async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  let total = 0;
  for (const line of info.split('\n')) {
    const [key, value] = line.trim().split(':');
    if (key === 'used_cpu_sys' || key === 'used_cpu_user') total += Number(value ?? 0);
  }
  return total;
}

export async function redisVersion(redis: Redis): Promise<string> {
  const info = await redis.info('server');
  const line = info.split('\n').find((l) => l.startsWith('redis_version:'));
  return line?.split(':')[1]?.trim() ?? 'unknown';
}

export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

const LOOP_SAMPLE_MS = 10;

/**
 * Event-loop delay (ms) between start() and stop(). The histogram records the time between two samples,
 * the 10 ms interval included; the interval is taken off so 0 means no delay.
 */
export function eventLoopDelay(): { start(): void; stop(): LoopDelay } {
  const histogram = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
  const delay = (ns: number) => Math.max(0, ns / 1e6 - LOOP_SAMPLE_MS);
  return {
    start() {
      histogram.reset();
      histogram.enable();
    },
    stop() {
      histogram.disable();
      return {
        p50: delay(histogram.percentile(50)),
        p99: delay(histogram.percentile(99)),
        max: delay(histogram.max),
      };
    },
  };
}
