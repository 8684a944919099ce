/**
 * Bench child processes (node --import tsx <file>, no shell) and their IPC: typed messages with a `type`,
 * structured-clone serialisation (typed arrays pass as they are). A child is stopped by its own PID:
 * SIGTERM, then SIGKILL after a grace period. With BENCH_CHILD_PROF=<dir> set, each child writes a V8 CPU
 * profile there (node --cpu-prof), for looking into a child's share of a benchmark.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './paths.js';

export type Message = { type: string } & Record<string, unknown>;

export function isMessage(value: unknown): value is Message {
  return (
    typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string'
  );
}

export class BenchChild {
  private readonly inbox: Message[] = [];
  private readonly waiters = new Set<{ types: readonly string[]; resolve: (m: Message) => void }>();
  private readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (raw: unknown) => {
      if (!isMessage(raw)) return;
      for (const waiter of this.waiters) {
        if (waiter.types.includes(raw.type)) {
          this.waiters.delete(waiter);
          waiter.resolve(raw);
          return;
        }
      }
      this.inbox.push(raw);
    });
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** Starts `file` (relative to the repository root) with `args`. */
  static start(file: string, args: readonly string[]): BenchChild {
    const child = spawn(
      process.execPath,
      [
        ...(process.env.BENCH_CHILD_PROF
          ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CHILD_PROF}`]
          : []),
        '--import',
        'tsx',
        join(ROOT, file),
        ...args,
      ],
      {
        cwd: ROOT,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        serialization: 'advanced',
      },
    );
    return new BenchChild(child);
  }

  send(message: Message): void {
    this.child.send(message);
  }

  /** The next message of `type` (or of any of the types; queued ones first); rejects after timeoutMs or if the child exits. */
  next(type: string | readonly string[], timeoutMs: number): Promise<Message> {
    const types = typeof type === 'string' ? [type] : type;
    const queued = this.inbox.findIndex((m) => types.includes(m.type));
    if (queued !== -1) {
      const [message] = this.inbox.splice(queued, 1);
      if (message) return Promise.resolve(message);
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        types,
        resolve: (m: Message) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`bench child sent no '${types.join("' or '")}' within ${timeoutMs} ms`));
      }, timeoutMs);
      this.exited.then((code) => {
        if (!this.waiters.delete(waiter)) return;
        clearTimeout(timer);
        reject(new Error(`bench child exited (${code}) before sending '${types.join("' or '")}'`));
      });
      this.waiters.add(waiter);
    });
  }

  async stop(graceMs = 5000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** In a child: messages from the parent. */
export function onParent(handler: (message: Message) => void): void {
  process.on('message', (raw: unknown) => {
    if (isMessage(raw)) handler(raw);
  });
}

/** In a child: a message to the parent. */
export function toParent(message: Message): void {
  process.send?.(message);
}

/** A numeric field of a message (NaN when missing). */
export function numberField(message: Message, key: string): number {
  const value = message[key];
  return typeof value === 'number' ? value : Number.NaN;
}
