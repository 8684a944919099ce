/**
 * A real Prometheus (Debian's /usr/bin/prometheus) scrapes a real API process and a real worker process
 * every second. After a job of the `diagnostics` pipeline ran through both planes, Prometheus' query API
 * returns the job counters of the API and the node durations of both planes. The same Prometheus accepts
 * every expression of the shipped dashboards and loads the shipped alerting rules without error.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipart, testdata } from '../../test/support/http.js';
import { REDIS_URL, randomPrefix } from '../../test/support/ids.js';
import { type RoleProcess, startRole } from '../../test/support/processes.js';
import { freePort } from '../../test/support/redis-server.js';
import {
  alertExpressions,
  dashboardExpressions,
  deployPath,
  loadDashboards,
  prometheusBinary,
  withGrafanaVariables,
} from './support.js';

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

interface QueryAnswer {
  status: 'success' | 'error';
  error?: string;
  data?: { resultType: string; result: Sample[] };
}

const prefix = randomPrefix('deploy');
const scratch = mkdtempSync(join(tmpdir(), 'myspinbot-prometheus-'));
const roles: RoleProcess[] = [];
let api: RoleProcess;
let worker: RoleProcess;
let prometheus: ChildProcess | null = null;
const prometheusLog: string[] = [];
let prometheusUrl = '';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function hostOf(url: string): string {
  return new URL(url).host;
}

async function startPrometheus(): Promise<void> {
  const binary = prometheusBinary('prometheus');
  const port = await freePort();
  prometheusUrl = `http://127.0.0.1:${port}`;
  const config = join(scratch, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      '  evaluation_interval: 1s',
      'rule_files:',
      `  - ${JSON.stringify(deployPath('prometheus', 'alerts.yml'))}`,
      'scrape_configs:',
      '  - job_name: myspinbot-api',
      '    static_configs:',
      `      - targets: [${JSON.stringify(hostOf(api.url))}]`,
      '  - job_name: myspinbot-worker',
      '    static_configs:',
      `      - targets: [${JSON.stringify(hostOf(worker.url))}]`,
      '',
    ].join('\n'),
  );
  const child = spawn(
    binary,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(scratch, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  prometheus = child;
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => prometheusLog.push(chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => prometheusLog.push(chunk));
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      if ((await fetch(`${prometheusUrl}/-/ready`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(
    `prometheus (pid ${child.pid}) did not become ready (exit code ${child.exitCode}): ${prometheusLog.join('').slice(-2000)}`,
  );
}

async function stopPrometheus(): Promise<void> {
  const child = prometheus;
  prometheus = null;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

async function query(expr: string): Promise<QueryAnswer> {
  const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  return (await response.json()) as QueryAnswer;
}

/** Queries until `accept` holds for the samples (bounded), and returns them. */
async function queryUntil(
  expr: string,
  accept: (samples: Sample[]) => boolean,
  timeoutMs = 30_000,
): Promise<Sample[]> {
  const deadline = Date.now() + timeoutMs;
  let last: Sample[] = [];
  while (Date.now() < deadline) {
    const answer = await query(expr);
    expect(answer.status, answer.error).toBe('success');
    last = answer.data?.result ?? [];
    if (accept(last)) return last;
    await sleep(250);
  }
  throw new Error(
    `Prometheus never answered ${expr} as expected within ${timeoutMs} ms; last: ${JSON.stringify(last)}`,
  );
}

function find(samples: Sample[], labels: Record<string, string>): Sample | undefined {
  return samples.find((s) => Object.entries(labels).every(([key, value]) => s.metric[key] === value));
}

const numberIn = (sample: Sample | undefined) => (sample ? Number(sample.value[1]) : Number.NaN);

beforeAll(async () => {
  const env = { REDIS_URL, BUS_PREFIX: prefix, DIAGNOSTICS: '1', BLOCK_MS: '200', DRAIN_TIMEOUT_MS: '2000' };
  const [a, w] = await Promise.all([startRole('api', env), startRole('worker', env)]);
  api = a;
  worker = w;
  roles.push(a, w);
  await startPrometheus();
}, 60_000);

afterAll(async () => {
  await stopPrometheus();
  await Promise.all(roles.splice(0).map((role) => role.stop(5_000)));
  rmSync(scratch, { recursive: true, force: true });
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
}, 30_000);

describe('a real Prometheus scraping an API and a worker process', () => {
  it('reports the job counters and the node durations of both planes after a job ran', async () => {
    const { body, contentType } = multipart({
      image: { filename: 'portrait.jpg', contentType: 'image/jpeg', data: testdata('carl_jung.jpg') },
      prompt: 'Metrics, please.',
      pipeline: 'diagnostics',
    });
    const response = await fetch(`${api.url}/api/train`, {
      method: 'POST',
      body,
      headers: { 'content-type': contentType },
    });
    expect(response.status).toBe(202);
    const { jobId } = (await response.json()) as { jobId: string };

    const deadline = Date.now() + 20_000;
    let status = '';
    while (Date.now() < deadline) {
      status = ((await (await fetch(`${api.url}/api/status/${jobId}`)).json()) as { status: string }).status;
      if (status === 'completed' || status === 'failed' || status === 'cancelled') break;
      await sleep(100);
    }
    expect(status).toBe('completed');

    const both = await queryUntil('up', (s) => s.length === 2 && s.every((x) => x.value[1] === '1'));
    expect(both.map((s) => s.metric.job).sort()).toEqual(['myspinbot-api', 'myspinbot-worker']);

    const completed = { job: 'myspinbot-api', status: 'completed', pipeline: 'diagnostics' };
    const finished = await queryUntil(
      'myspinbot_jobs_finished_total',
      (s) => find(s, completed) !== undefined,
    );
    expect(numberIn(find(finished, completed))).toBe(1);

    const created = await queryUntil('myspinbot_jobs_created_total', (s) => s.length > 0);
    expect(numberIn(find(created, { job: 'myspinbot-api', pipeline: 'diagnostics' }))).toBe(1);

    // The worker ran the data-plane node (plane "python"), the API the two control-plane nodes ("node").
    const dataNode = { job: 'myspinbot-worker', plane: 'python', service: 'diag.sleep', status: 'completed' };
    const controlNode = { job: 'myspinbot-api', plane: 'node', service: 'diag.echo', status: 'completed' };
    const nodes = await queryUntil(
      'myspinbot_node_duration_seconds_count',
      (s) => find(s, dataNode) !== undefined && numberIn(find(s, controlNode)) === 2,
    );
    expect(numberIn(find(nodes, dataNode))).toBe(1);
    expect(numberIn(find(nodes, controlNode))).toBe(2);

    // Handoffs: control -> data once (after "prepare"); data -> control once per job that came back to the
    // control plane to finish: this job and the capabilities jobs the API runs to learn the data plane.
    const handoffs = await queryUntil(
      'sum by (job, plane) (myspinbot_bus_transitions_total{kind="handoff", outcome="ok"})',
      (s) => s.length === 2,
    );
    expect(numberIn(find(handoffs, { job: 'myspinbot-api', plane: 'node' }))).toBe(1);
    expect(numberIn(find(handoffs, { job: 'myspinbot-worker', plane: 'python' }))).toBeGreaterThanOrEqual(1);
    await queryUntil(
      'sum(myspinbot_bus_transitions_total{job="myspinbot-worker", kind="handoff", outcome="ok"}) - sum(myspinbot_jobs_finished_total{job="myspinbot-api"})',
      (s) => s.length === 1 && s[0]?.value[1] === '0',
    );

    const uploads = await queryUntil(
      'myspinbot_http_request_duration_seconds_count{route="/api/train"}',
      (s) => s.length > 0,
    );
    expect(numberIn(find(uploads, { job: 'myspinbot-api', method: 'POST', status_code: '202' }))).toBe(1);

    const streams = await queryUntil(
      'myspinbot_stream_length',
      (s) => find(s, { job: 'myspinbot-worker' }) !== undefined,
    );
    expect(find(streams, { job: 'myspinbot-api', plane: 'node' })).toBeDefined();
    expect(find(streams, { job: 'myspinbot-worker', plane: 'python' })).toBeDefined();
  }, 60_000);

  it('accepts every expression of the shipped dashboards and alerting rules', async () => {
    const expressions = [
      ...loadDashboards().flatMap(({ dashboard }) => dashboardExpressions(dashboard)),
      ...alertExpressions(),
    ];
    const rejected: string[] = [];
    for (const { where, expr } of expressions) {
      const answer = await query(withGrafanaVariables(expr));
      if (answer.status !== 'success') rejected.push(`${where}: ${answer.error}`);
    }
    expect(rejected).toEqual([]);
    // The panels have data: a latency panel's query answers once two scrapes of the histogram exist.
    const latency = await queryUntil(
      withGrafanaVariables(
        'histogram_quantile(0.95, sum by (le, route) (rate(myspinbot_http_request_duration_seconds_bucket{job=~"$job"}[$__rate_interval])))',
      ),
      (s) => s.some((x) => x.metric.route === '/api/train'),
    );
    expect(latency.length).toBeGreaterThan(0);
  }, 30_000);

  it('loads the shipped alerting rules and evaluates them without error', async () => {
    const deadline = Date.now() + 15_000;
    let rules: { name: string; health: string; lastError?: string }[] = [];
    while (Date.now() < deadline) {
      const answer = (await (await fetch(`${prometheusUrl}/api/v1/rules`)).json()) as {
        data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] };
      };
      rules = answer.data.groups.flatMap((g) => g.rules);
      if (rules.length > 0 && rules.every((r) => r.health !== 'unknown')) break;
      await sleep(250);
    }
    expect(rules.length).toBe(alertExpressions().length);
    expect(
      rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`),
    ).toEqual([]);
  }, 30_000);
});
