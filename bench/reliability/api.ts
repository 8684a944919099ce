/**
 * The API role (apps/api/src/main.ts: HTTP API, control executor, reset recovery) as a child process on the
 * suite's private Redis, with its artifacts and history in a temporary directory removed afterwards. Its
 * JSON log lines are parsed so the suite can see when it noticed a reset and which jobs it re-queued.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../paths.js';
import { sleep } from '../stats.js';

export type LogLine = Record<string, unknown>;

export class ApiProcess {
  readonly logs: LogLine[] = [];
  private readonly stderr: string[] = [];
  private readonly exited: Promise<void>;
  private readonly listeners = new Set<(line: LogLine) => void>();

  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    let buffer = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      let newline = buffer.indexOf('\n');
      while (newline !== -1) {
        const text = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
        let line: LogLine;
        try {
          line = JSON.parse(text) as LogLine;
        } catch {
          continue;
        }
        this.logs.push(line);
        for (const listener of this.listeners) listener(line);
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr.push(chunk);
      if (this.stderr.length > 200) this.stderr.shift();
    });
  }

  /** Starts the API with `env` (bus settings) and waits for its 'listening' line. */
  static async start(env: Record<string, string>, own: (child: ChildProcess) => void): Promise<ApiProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'myspinbot-bench-api-'));
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'apps/api/src/main.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'info',
        STORAGE_URL: `file://${join(dir, 'artifacts')}`,
        DATABASE_URL: `sqlite:${join(dir, 'history.sqlite')}`,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    own(child);
    const api = new ApiProcess(child, dir);
    const deadline = Date.now() + 60_000;
    while (!api.logs.some((l) => typeof l.msg === 'string' && l.msg.endsWith('listening'))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await api.dispose();
        throw new Error(`the API did not start: ${api.stderr.join('').slice(-2000)}`);
      }
      await sleep(50);
    }
    return api;
  }

  onLog(listener: (line: LogLine) => void): void {
    this.listeners.add(listener);
  }

  /** SIGTERM (graceful), SIGKILL after `graceMs`; removes its data directory. */
  async dispose(graceMs = 5000): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A log line's time as ms since the epoch (pino writes `time` as epoch ms or ISO text). */
export function logTime(line: LogLine): number {
  const time = line.time;
  if (typeof time === 'number') return time;
  if (typeof time === 'string') return Date.parse(time);
  return Number.NaN;
}
