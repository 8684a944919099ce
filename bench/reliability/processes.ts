/**
 * The processes the reliability suite starts, kills and restarts: data-plane workers (bench children with
 * IPC) and the suite's private redis-server. Every one is registered in `owned` and killed by its own PID
 * when the suite ends, fails, or the bench process exits, so none outlives a run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BusConfig } from '@myspinbot/contracts';
import { Redis } from 'ioredis';
import { isMessage, type Message } from '../child.js';
import { ROOT } from '../paths.js';
import { sleep } from '../stats.js';

/** Every live process this suite started. */
const owned = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Registers a process the suite started, so it is killed at the end whatever happens. */
export function own(child: ChildProcess): void {
  owned.add(child);
  child.once('exit', () => owned.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Last resort (an exception, process.exit in bench/index.ts): kill what is left, by PID, synchronously.
    process.once('exit', () => {
      for (const left of owned) left.kill('SIGKILL');
    });
  }
}

/** SIGKILLs every process the suite still owns and waits for them to exit. */
export async function killOwned(): Promise<void> {
  await Promise.all([...owned].map((child) => killAndWait(child)));
}

function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** A free loopback port (the OS picks it; the redis-server binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function answersPing(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * A redis-server of the suite's own on a free loopback port, without persistence (`--save ''
 * --appendonly no`): killed and started again, it comes back empty.
 */
export class PrivateRedis {
  private child: ChildProcess | null = null;
  readonly url: string;
  private readonly dir = mkdtempSync(join(tmpdir(), 'myspinbot-bench-redis-'));

  private constructor(readonly port: number) {
    this.url = `redis://127.0.0.1:${port}`;
  }

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.start();
    return redis;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** Starts the server; resolves with Date.now() when the process was spawned, once it answers PING. */
  async start(): Promise<number> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    const child = spawn('redis-server', [...args, '--dir', this.dir], { stdio: 'ignore' });
    own(child);
    this.child = child;
    const spawnedAt = await new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(Date.now()));
      child.once('error', (e) => reject(new Error(`cannot start redis-server: ${e.message}`)));
    });
    const deadline = Date.now() + 10_000;
    while (!(await answersPing(this.url))) {
      if (Date.now() > deadline || child.exitCode !== null) {
        throw new Error(`redis-server on port ${this.port} did not answer within 10 s`);
      }
      await sleep(20);
    }
    return spawnedAt;
  }

  /** SIGKILL, by PID: a crash, nothing written (there is no persistence anyway). */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child) await killAndWait(child);
  }

  async dispose(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** One data-plane worker process (bench/reliability/worker.ts) and the messages it sent. */
export class WorkerProcess {
  readonly exited: Promise<void>;
  private readonly listeners = new Set<(message: Message, worker: WorkerProcess) => void>();
  /** Jobs whose bench.work node runs here now (from 'started'/'ended'). */
  readonly running = new Set<string>();
  private readyResolve: (() => void) | null = null;
  readonly ready: Promise<void>;
  isReady = false;
  killedAt: number | null = null;

  private constructor(
    readonly slot: number,
    private readonly child: ChildProcess,
  ) {
    this.ready = new Promise((resolve) => {
      this.readyResolve = resolve;
    });
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.on('message', (raw: unknown) => {
      if (!isMessage(raw)) return;
      const jobId = typeof raw.jobId === 'string' ? raw.jobId : '';
      if (raw.type === 'ready') {
        this.isReady = true;
        this.readyResolve?.();
      } else if (raw.type === 'started') this.running.add(jobId);
      else if (raw.type === 'ended') this.running.delete(jobId);
      for (const listener of this.listeners) listener(raw, this);
    });
  }

  static start(
    slot: number,
    url: string,
    prefix: string,
    concurrency: number,
    config: Partial<BusConfig>,
  ): WorkerProcess {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'bench/reliability/worker.ts'),
        url,
        prefix,
        String(concurrency),
        JSON.stringify(config),
      ],
      { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' },
    );
    own(child);
    return new WorkerProcess(slot, child);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  onMessage(listener: (message: Message, worker: WorkerProcess) => void): void {
    this.listeners.add(listener);
  }

  /** SIGKILL by PID (the fault); resolves once the process is gone. */
  async kill(): Promise<void> {
    this.killedAt = Date.now();
    await killAndWait(this.child);
  }

  /** SIGTERM (graceful: the executor releases its entries), SIGKILL after `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/**
 * `size` worker slots; a worker that dies (killed by the bench or by its own poison node) is replaced in
 * its slot, after `restartDelayMs`, while `restarting` is on. Listeners see the messages of every worker.
 */
export class WorkerPool {
  readonly workers: WorkerProcess[] = [];
  private readonly listeners = new Set<(message: Message, worker: WorkerProcess) => void>();
  private restarting = true;
  /** Warnings and errors the workers' executors logged (BENCH_RELIABILITY_VERBOSE=1 prints them). */
  readonly logs: { slot: number; level: string; msg: string; jobId: string; at: number }[] = [];
  restarts = 0;
  deaths = 0;

  constructor(
    private readonly size: number,
    private readonly url: string,
    private readonly prefix: string,
    private readonly concurrency: number,
    private readonly config: Partial<BusConfig>,
  ) {}

  async start(): Promise<void> {
    for (let slot = 0; slot < this.size; slot++) this.spawn(slot);
    await Promise.all(this.workers.map((w) => w.ready));
  }

  onMessage(listener: (message: Message, worker: WorkerProcess) => void): void {
    this.listeners.add(listener);
  }

  private spawn(slot: number): WorkerProcess {
    const worker = WorkerProcess.start(slot, this.url, this.prefix, this.concurrency, this.config);
    worker.onMessage((message, from) => {
      if (message.type === 'log') {
        const line = {
          slot: from.slot,
          level: String(message.level),
          msg: String(message.msg),
          jobId: String(message.jobId),
          at: Number(message.at),
        };
        this.logs.push(line);
        if (process.env.BENCH_RELIABILITY_VERBOSE === '1') {
          console.log(`  worker ${line.slot} ${line.level}: ${line.msg} ${line.jobId} @${line.at}`);
        }
      }
      for (const listener of this.listeners) listener(message, from);
    });
    this.workers[slot] = worker;
    void worker.exited.then(() => {
      this.deaths += 1;
      if (!this.restarting || this.workers[slot] !== worker) return;
      this.restarts += 1;
      this.spawn(slot);
    });
    return worker;
  }

  /** The live workers whose bench.work node runs now. */
  busy(): WorkerProcess[] {
    return this.workers.filter((w) => w.alive && w.running.size > 0);
  }

  /** Every slot's worker alive and reading. */
  async allReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.workers.every((w) => w.alive && w.isReady)) {
      if (Date.now() > deadline) throw new Error(`workers not all ready within ${timeoutMs} ms`);
      await sleep(20);
    }
  }

  async stop(): Promise<void> {
    this.restarting = false;
    await Promise.all(this.workers.map((w) => w.stop()));
  }
}
