/**
 * The shipped Prometheus configuration passes `promtool check config` (which also checks the rule files
 * it names), and the alerting rules pass their unit tests (`promtool test rules`). promtool comes from
 * Debian's prometheus package; without it these tests fail, they never skip.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deployPath, prometheusBinary } from './support.js';

interface Run {
  code: number;
  output: string;
}

function promtool(...args: string[]): Promise<Run> {
  const binary = prometheusBinary('promtool');
  return new Promise((resolve) => {
    execFile(binary, args, { timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

const scratch = mkdtempSync(join(tmpdir(), 'myspinbot-promtool-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('promtool', () => {
  it('check config passes on deploy/prometheus/prometheus.yml and its rule file', async () => {
    const run = await promtool('check', 'config', deployPath('prometheus', 'prometheus.yml'));
    expect(run.output).toContain('SUCCESS');
    expect(run.output).toContain('rules found');
    expect(run.code, run.output).toBe(0);
  });

  it('check config fails on a broken copy (the check has teeth)', async () => {
    copyFileSync(deployPath('prometheus', 'alerts.yml'), join(scratch, 'alerts.yml'));
    const broken = join(scratch, 'prometheus.yml');
    writeFileSync(
      broken,
      'rule_files: [alerts.yml]\nscrape_configs:\n  - job_name: x\n    dns_sd_configs:\n      - names: [worker]\n        type: TXT\n',
    );
    const run = await promtool('check', 'config', broken);
    expect(run.code, run.output).not.toBe(0);
  });

  it('the alerting rules pass their unit tests', async () => {
    const run = await promtool('test', 'rules', deployPath('prometheus', 'alerts.test.yml'));
    expect(run.output).toContain('SUCCESS');
    expect(run.code, run.output).toBe(0);
  });
});
