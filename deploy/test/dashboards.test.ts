/**
 * The Grafana dashboards and the Prometheus alerting rules use only metrics that exist: every metric name
 * in their PromQL is a series of the registry `createMetrics(new Registry())` builds (histograms with
 * their _bucket/_sum/_count series, the default process metrics included), or one Prometheus makes
 * itself (`up`). The other way round, every metric of ours appears on some dashboard.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  alertExpressions,
  allPanels,
  type DashboardExpression,
  dashboardExpressions,
  deployPath,
  loadDashboards,
  metricNamesIn,
  PROMETHEUS_SYNTHETIC,
  type RegistryNames,
  readYaml,
  registryNames,
  variableQueryExpression,
} from './support.js';

const dashboards = loadDashboards();
const REQUIRED = [
  'myspinbot-jobs',
  'myspinbot-nodes',
  'myspinbot-queues',
  'myspinbot-websocket',
  'myspinbot-http',
];

let names: RegistryNames;
beforeAll(async () => {
  names = await registryNames();
});

function unknownMetrics(expressions: DashboardExpression[]): string[] {
  const unknown: string[] = [];
  for (const { where, expr } of expressions) {
    for (const name of metricNamesIn(expr)) {
      if (!names.series.has(name) && !PROMETHEUS_SYNTHETIC.has(name)) unknown.push(`${where}: ${name}`);
    }
  }
  return unknown;
}

describe('reading metric names out of PromQL', () => {
  it('finds selectors and nothing else (functions, labels, ranges, variables, numbers, keywords)', () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.95, sum by (le, route) (rate(myspinbot_http_request_duration_seconds_bucket{job=~"$job", route="/api/x"}[$__rate_interval])))',
      ),
    ).toEqual(['myspinbot_http_request_duration_seconds_bucket']);
    expect(
      metricNamesIn(
        'sum(rate(a_total{status="failed"}[5m] offset 1h)) / on (pipeline) group_left (x) sum(rate(b_total[5m])) > bool 1e3',
      ),
    ).toEqual(['a_total', 'b_total']);
    expect(metricNamesIn('count(up{job="myspinbot-worker"} == 1) or vector(0)')).toEqual(['up']);
    expect(metricNamesIn('sum(x) by (le) * 60 unless y')).toEqual(['x', 'y']);
    expect(metricNamesIn('max_over_time(m[1h:5m]) and ignoring (instance) n')).toEqual(['m', 'n']);
    expect(
      metricNamesIn('sum by (kind) (rate(w{direction="in", kind=~"a|b"}[\u0024{__rate_interval}]))'),
    ).toEqual(['w']);
  });

  it('reads the expression inside Grafana variable queries', () => {
    expect(variableQueryExpression('label_values(myspinbot_jobs_created_total, pipeline)')).toBe(
      'myspinbot_jobs_created_total',
    );
    expect(variableQueryExpression('label_values(m{plane=~"$plane"}, service)')).toBe('m{plane=~"$plane"}');
    expect(variableQueryExpression('label_values(pipeline)')).toBeNull();
    expect(variableQueryExpression('query_result(topk(5, x))')).toBe('topk(5, x)');
  });

  it('the registry lists histogram series, default process metrics and our own families', () => {
    expect(names.series.has('myspinbot_node_duration_seconds_bucket')).toBe(true);
    expect(names.series.has('myspinbot_node_duration_seconds_count')).toBe(true);
    expect(names.series.has('myspinbot_node_duration_seconds')).toBe(false);
    expect(names.series.has('myspinbot_process_cpu_seconds_total')).toBe(true);
    expect(names.own.has('myspinbot_jobs_finished_total')).toBe(true);
    expect(names.own.has('myspinbot_process_cpu_seconds_total')).toBe(false);
  });
});

describe('Grafana dashboards', () => {
  it('cover jobs, nodes, queues, WebSocket and HTTP, each with real panels', () => {
    expect(dashboards.map((d) => d.dashboard.uid).sort()).toEqual([...REQUIRED].sort());
    for (const { file, dashboard } of dashboards) {
      expect(dashboard.title, file).toMatch(/^MySpinBot \/ /);
      expect(dashboard.tags).toContain('myspinbot');
      const panels = allPanels(dashboard.panels).filter((p) => p.type !== 'row');
      expect(panels.length, file).toBeGreaterThanOrEqual(6);
      const ids = allPanels(dashboard.panels).map((p) => p.id);
      expect(new Set(ids).size, `${file}: panel ids`).toBe(ids.length);
      for (const panel of panels) {
        expect(panel.gridPos, `${file}: ${panel.title}`).toBeDefined();
        expect(panel.targets?.length, `${file}: ${panel.title}`).toBeGreaterThan(0);
        for (const target of panel.targets ?? [])
          expect(target.expr?.trim(), `${file}: ${panel.title}`).toBeTruthy();
      }
    }
  });

  it('lay their panels out on the 24-column grid without overlaps', () => {
    for (const { file, dashboard } of dashboards) {
      const boxes = allPanels(dashboard.panels).map((p) => ({
        title: p.title,
        ...(p.gridPos ?? { x: 0, y: 0, w: 0, h: 0 }),
      }));
      for (const [i, a] of boxes.entries()) {
        expect(a.x + a.w, `${file}: ${a.title}`).toBeLessThanOrEqual(24);
        for (const b of boxes.slice(i + 1)) {
          const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
          expect(overlap, `${file}: ${a.title} overlaps ${b.title}`).toBe(false);
        }
      }
    }
  });

  it('query the provisioned Prometheus data source', () => {
    const source = readYaml<{ datasources: { uid: string; type: string }[] }>(
      'grafana',
      'provisioning',
      'datasources',
      'prometheus.yml',
    ).datasources[0];
    for (const { file, dashboard } of dashboards) {
      for (const panel of allPanels(dashboard.panels).filter((p) => p.type !== 'row')) {
        expect(panel.datasource, `${file}: ${panel.title}`).toEqual({ type: source?.type, uid: source?.uid });
        for (const target of panel.targets ?? []) expect(target.datasource?.uid).toBe(source?.uid);
      }
      for (const variable of dashboard.templating?.list ?? []) {
        expect(variable.datasource?.uid, `${file}: $${variable.name}`).toBe(source?.uid);
      }
    }
  });

  it('use only metrics the registry exposes', () => {
    const expressions = dashboards.flatMap(({ dashboard }) => dashboardExpressions(dashboard));
    expect(expressions.length).toBeGreaterThan(50);
    for (const { where, expr } of expressions) expect(metricNamesIn(expr).length, where).toBeGreaterThan(0);
    expect(unknownMetrics(expressions)).toEqual([]);
  });

  it('show every metric of ours somewhere', () => {
    const used = new Set(
      dashboards
        .flatMap(({ dashboard }) => dashboardExpressions(dashboard))
        .flatMap(({ expr }) => metricNamesIn(expr))
        .map((name) => names.familyOf.get(name)),
    );
    expect([...names.own].filter((family) => !used.has(family))).toEqual([]);
  });

  it('are valid JSON files as Grafana provisions them (no template placeholders left)', () => {
    for (const { file } of dashboards) {
      const text = readFileSync(deployPath('grafana', 'dashboards', file), 'utf8');
      expect(text).not.toContain('${DS_');
      expect(text).not.toContain('__inputs');
    }
  });
});

describe('Prometheus alerting rules', () => {
  it('use only metrics the registry exposes', () => {
    const expressions = alertExpressions();
    expect(expressions.length).toBeGreaterThanOrEqual(5);
    expect(unknownMetrics(expressions)).toEqual([]);
  });
});
