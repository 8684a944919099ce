/**
 * The embedded composition (startControlProcess, both planes) as the benchmarks start it: loopback only,
 * logs off, no rate limit, artifacts and history in a temporary folder that is removed on stop, and also
 * when start-up fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@myspinbot/config';
import type { AppConfig } from '@myspinbot/contracts';
import { type ControlProcess, startControlProcess } from '@myspinbot/server';

export interface EmbeddedProcess {
  proc: ControlProcess;
  config: AppConfig;
  stop(): Promise<void>;
}

export async function startEmbeddedProcess(
  env: Record<string, string>,
  catalogFile?: string,
): Promise<EmbeddedProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'myspinbot-bench-'));
  try {
    const config = loadConfig({
      role: 'embedded',
      env: {
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'silent',
        RATE_LIMIT_PER_MINUTE: '0',
        STORAGE_URL: `file://${join(dir, 'artifacts')}`,
        DATABASE_URL: `sqlite:${join(dir, 'history.sqlite')}`,
        ...env,
      },
    });
    const proc = await startControlProcess(config, {
      withDataPlane: true,
      role: 'embedded',
      ...(catalogFile === undefined ? {} : { catalogFile }),
    });
    return {
      proc,
      config,
      async stop() {
        try {
          await proc.stop();
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
