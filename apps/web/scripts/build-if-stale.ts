/**
 * Builds the static export (apps/web/out) unless out/index.html is newer than every source of the UI.
 * `tsx apps/web/scripts/build-if-stale.ts` before `npm start` gives a fresh clone its UI; the end-to-end
 * test calls buildIfStale() before it starts the server.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const OUT_DIR = join(WEB_DIR, 'out');

const SOURCES = ['app', 'components', 'lib', 'next.config.mjs', 'package.json', 'tsconfig.json'];

function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

/** True when there is no build, or a source changed after it. */
export function isStale(): boolean {
  const index = join(OUT_DIR, 'index.html');
  if (!existsSync(index)) return true;
  const sources = SOURCES.map((p) => join(WEB_DIR, p)).filter((p) => existsSync(p));
  return statSync(index).mtimeMs <= Math.max(...sources.map(newest));
}

/** Runs `next build` (same-origin UI, no telemetry) when needed; answers what it did. */
export async function buildIfStale(): Promise<'fresh' | 'built'> {
  if (!isStale()) return 'fresh';
  const nextBin = join(
    dirname(createRequire(import.meta.url).resolve('next/package.json')),
    'dist',
    'bin',
    'next',
  );
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
  // The UI served by `npm start` talks to the origin that serves it.
  delete env.NEXT_PUBLIC_API_URL;
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [nextBin, 'build'], {
      cwd: WEB_DIR,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0 || !existsSync(join(OUT_DIR, 'index.html')))
    throw new Error(`next build failed (exit ${code}):\n${output.join('').slice(-4000)}`);
  return 'built';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  buildIfStale().then(
    (result) => console.log(result === 'built' ? `web UI built in ${OUT_DIR}` : 'web UI is up to date'),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
