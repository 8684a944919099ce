/**
 * Runs MySpinBot roles as real OS processes for integration tests (node --import tsx, no shell), reads
 * their JSON logs, and stops or kills them by PID.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const ENTRIES = {
  api: 'apps/api/src/main.ts',
  worker: 'apps/worker/src/main.ts',
  embedded: 'apps/api/src/embedded.ts',
} as const;

export type Role = keyof typeof ENTRIES;

/** Artifacts and history of the processes a test file starts, unless it names its own (never ./data). */
const DATA_DIR = mkdtempSync(join(tmpdir(), 'myspinbot-roles-'));
const DATA_ENV = {
  STORAGE_URL: `file://${join(DATA_DIR, 'artifacts')}`,
  DATABASE_URL: `sqlite:${join(DATA_DIR, 'history.sqlite')}`,
};

export interface RoleProcess {
  readonly role: Role;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Base URL of its HTTP server. */
  url: string;
  readonly logs: Record<string, unknown>[];
  readonly stderr: string[];
  waitForLog(
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** SIGTERM and wait for the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
  kill(): Promise<void>;
}

export async function startRole(role: Role, env: Record<string, string>): Promise<RoleProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, ENTRIES[role])], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...DATA_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  const waiters = new Set<{
    match: (l: Record<string, unknown>) => boolean;
    resolve: (l: Record<string, unknown>) => void;
  }>();
  let buffer = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    let newline = buffer.indexOf('\n');
    while (newline !== -1) {
      const text = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf('\n');
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        continue;
      }
      logs.push(line);
      for (const waiter of waiters) {
        if (waiter.match(line)) {
          waiters.delete(waiter);
          waiter.resolve(line);
        }
      }
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const handle: RoleProcess = {
    role,
    pid: child.pid ?? -1,
    child,
    url: '',
    logs,
    stderr,
    waitForLog(match, timeoutMs = 20_000) {
      const seen = logs.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = {
          match,
          resolve: (l: Record<string, unknown>) => {
            clearTimeout(timer);
            resolve(l);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(
              `${role} (pid ${child.pid}) did not log the expected line within ${timeoutMs} ms; stderr: ${stderr.join('').slice(-2000)}`,
            ),
          );
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    async stop(timeoutMs = 20_000) {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
  let ready: Record<string, unknown>;
  try {
    ready = await Promise.race([
      handle.waitForLog((l) => typeof l.msg === 'string' && l.msg.endsWith('listening'), 30_000),
      exited.then((code) => {
        throw new Error(`${role} exited with code ${code} before listening: ${stderr.join('').slice(-2000)}`);
      }),
    ]);
  } catch (error) {
    // A process that never said it listens is not handed to the test: stop it here, or it outlives the run.
    await handle.kill();
    throw error;
  }
  handle.url = String(ready.address ?? ready.url);
  return handle;
}
