/** An embedded control process (memory bus, local store and SQLite in a temp folder) for in-process tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobRecord } from '@myspinbot/bus';
import { loadConfig } from '@myspinbot/config';
import type { LightMyRequestResponse as LightResponse } from 'fastify';
import { type FormValue, multipart, testdata } from '../../../test/support/http.js';
import { type ControlProcess, startControlProcess } from '../src/control/compose.js';

export const TEST_CATALOG = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'pipelines.json');

export interface Harness {
  proc: ControlProcess;
  dir: string;
  train(fields: Record<string, FormValue>, headers?: Record<string, string>): Promise<LightResponse>;
  waitForEnd(jobId: string, timeoutMs?: number): Promise<JobRecord>;
  /** What the refused requests must not have changed: stored objects, enqueued entries, history rows. */
  footprint(): Promise<{ objects: number; entries: number; history: number }>;
  close(): Promise<void>;
}

export const portrait = (): FormValue => ({
  filename: 'portrait.jpg',
  contentType: 'image/jpeg',
  data: testdata('carl_jung.jpg'),
});

export async function startHarness(
  env: Record<string, string> = {},
  catalogFile = TEST_CATALOG,
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'myspinbot-api-'));
  const config = loadConfig({
    role: 'embedded',
    env: {
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'silent',
      DIAGNOSTICS: '1',
      STORAGE_URL: `file://${join(dir, 'artifacts')}`,
      DATABASE_URL: `sqlite:${join(dir, 'history.sqlite')}`,
      CAPABILITIES_TIMEOUT_MS: '2000',
      RATE_LIMIT_PER_MINUTE: '0',
      ...env,
    },
  });
  const proc = await startControlProcess(config, {
    withDataPlane: true,
    role: 'embedded',
    catalogFile,
  });
  return {
    proc,
    dir,
    train(fields, headers = {}) {
      const { body, contentType } = multipart(fields);
      return proc.app.inject({
        method: 'POST',
        url: '/api/train',
        payload: body,
        headers: { 'content-type': contentType, ...headers },
      });
    },
    async waitForEnd(jobId, timeoutMs = 15_000) {
      const record = await proc.hub.waitForTerminal(jobId, timeoutMs);
      if (!record) throw new Error(`job ${jobId} did not end within ${timeoutMs} ms`);
      return record;
    },
    async footprint() {
      const [objects, control, data, history] = await Promise.all([
        proc.store.list('jobs/'),
        proc.bus.stats('node'),
        proc.bus.stats('python'),
        proc.history.list({ limit: 1 }),
      ]);
      return { objects: objects.length, entries: control.length + data.length, history: history.total };
    },
    async close() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
