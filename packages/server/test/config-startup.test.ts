import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../../test/support/processes.js';

describe('start-up with a bad configuration', () => {
  it.each([
    [
      'api',
      'apps/api/src/main.ts',
      { PORT: 'abc' },
      /server\.port \(from env PORT="abc"\) must be an integer/,
    ],
    [
      'worker',
      'apps/worker/src/main.ts',
      { MAX_DELIVERIES: '0' },
      /bus\.timings\.maxDeliveries \(from env MAX_DELIVERIES\): must be >= 1/,
    ],
    ['worker', 'apps/worker/src/main.ts', { BUS_KIND: 'memory' }, /needs the Redis bus/],
  ] as const)('%s stops with exit code 78 and names the key', (_role, entry, env, message) => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, entry)], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(78);
    expect(result.stderr).toMatch(message);
  });
});
