/**
 * Private redis-server processes for tests that restart, kill or flush Redis (never the shared one).
 * Each gets a free port and its own temporary directory; stop() kills it by PID.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export async function freePort(): Promise<number> {
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

export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  start(): Promise<void>;
  /** SIGKILL (crash) or SIGTERM (clean shutdown, which writes the AOF). */
  stop(signal?: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  /** Removes the data directory's files, so the next start() comes back empty. */
  wipe(): void;
  dispose(): Promise<void>;
}

async function waitForPing(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => {});
    try {
      await client.connect();
      if ((await client.ping()) === 'PONG') {
        client.disconnect();
        return;
      }
    } catch {
      // not up yet
    }
    client.disconnect();
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server at ${url} did not answer within ${timeoutMs} ms`);
}

export async function startPrivateRedis(options: { appendonly?: boolean } = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'myspinbot-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--dir',
    dir,
    '--appendonly',
    options.appendonly ? 'yes' : 'no',
    '--appendfsync',
    'always',
  ];
  const handle: PrivateRedis = {
    port,
    url,
    dir,
    async start() {
      child = spawn('redis-server', args, { stdio: 'ignore' });
      const started = child;
      await new Promise<void>((resolve, reject) => {
        started.once('spawn', () => resolve());
        started.once('error', (e) =>
          reject(new Error(`cannot start redis-server (is it installed and on the PATH?): ${e.message}`)),
        );
      });
      await waitForPing(url, 10_000);
    },
    async stop(signal = 'SIGKILL') {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        running.once('exit', () => resolve());
        running.kill(signal);
      });
    },
    wipe() {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir);
    },
    async dispose() {
      await handle.stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await handle.start();
  return handle;
}
