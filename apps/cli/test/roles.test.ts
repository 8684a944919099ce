/**
 * `myspinbot serve | api | worker`: the roles start as `npm start` and `npm run start:api|worker` do, stop
 * gracefully on SIGTERM (exit 0), and refuse a bad configuration with exit 78.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startServingCli } from './support/cli.js';

describe('myspinbot server roles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'myspinbot-cli-test-'));

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('serve runs the all-in-one server and stops gracefully on SIGTERM', async () => {
    const served = await startServingCli(['serve', '--host', '127.0.0.1', '--port', '0'], {
      STORAGE_URL: `file://${join(dir, 'artifacts')}`,
      DATABASE_URL: `sqlite:${join(dir, 'history.sqlite')}`,
      WEB_DIR: '',
    });
    const health = await fetch(`${served.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', role: 'embedded' });
    expect(await served.stop()).toBe(0);
  }, 60_000);

  it('worker exits 78 on an invalid configuration', async () => {
    const run = await runCli(['worker'], { env: { REDIS_URL: 'redis://127.0.0.1:6379', PORT: 'eighty' } });
    expect(run.code).toBe(78);
    expect(run.stderr).toContain('server.port (from env PORT=');
  });

  it('api takes --help', async () => {
    const run = await runCli(['api', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: myspinbot serve|api|worker');
  });

  it('exits 2 on a bad --port', async () => {
    const run = await runCli(['serve', '--port', 'http']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^myspinbot: --port takes a TCP port/);
  });
});
