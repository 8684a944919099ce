/**
 * Runs the real `myspinbot` command as a child process (node apps/cli/bin/myspinbot.mjs, from the
 * repository root, no shell) and collects its exit code and output; checks on the MP4 files it writes.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ROOT } from '../../../../test/support/processes.js';

export { ROOT };

export const BIN = join(ROOT, 'apps', 'cli', 'bin', 'myspinbot.mjs');
export const PORTRAIT = join(ROOT, '..', 'shared', 'testdata', 'carl_jung.jpg');
export const PROMPT = 'Hello, I am Carl. Dreams speak in pictures.';

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  /** Added to the environment (MYSPINBOT_API_KEY is removed from the inherited one first). */
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Called with all of stderr so far on each new chunk, and a way to signal the process. */
  onStderr?: (stderr: string, signal: (name: NodeJS.Signals) => void) => void;
}

export function runCli(args: readonly string[], options: CliRunOptions = {}): Promise<CliRun> {
  const { MYSPINBOT_API_KEY: _inherited, ...inherited } = process.env;
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...inherited, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    options.onStderr?.(stderr, (name) => child.kill(name));
  });
  const limit = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `myspinbot ${args.join(' ')} did not end within ${limit} ms; stderr: ${stderr.slice(-2000)}`,
        ),
      );
    }, limit);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The last line of stdout parsed as JSON (the --json report). */
export function jsonReport(run: CliRun): Record<string, unknown> {
  const lines = run.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? '') as Record<string, unknown>;
}

/** The top-level boxes of an ISO BMFF file (type and size), as far as the sizes hold together. */
export function topLevelBoxes(path: string): { type: string; size: number }[] {
  const bytes = readFileSync(path);
  const boxes: { type: string; size: number }[] = [];
  let offset = 0;
  while (offset + 8 <= bytes.length) {
    let size = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    if (size === 1 && offset + 16 <= bytes.length) size = Number(bytes.readBigUInt64BE(offset + 8));
    if (size === 0) size = bytes.length - offset;
    if (size < 8) break;
    boxes.push({ type, size });
    offset += size;
  }
  return boxes;
}

/** A TCP port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface ServingCli {
  /** Base URL from the role's "<role> listening" log line. */
  url: string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts a server role through the CLI and waits until it logs that it listens. */
export async function startServingCli(
  args: readonly string[],
  env: Record<string, string>,
): Promise<ServingCli> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(
      () => reject(new Error(`no "listening" line within 45 s; stderr: ${stderr}`)),
      45_000,
    );
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening; stderr: ${stderr}`));
    });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      for (const line of buffer.split('\n').slice(0, -1)) {
        const match = /"address":"([^"]+)".*"msg":"\w+ listening"/.exec(line);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      }
      buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
    });
  });
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
