/**
 * Helpers for the deployment tests: reading deploy/, Compose variable interpolation (the syntax of the
 * Compose Specification), PromQL metric names in Grafana dashboards and Prometheus rules, the names our
 * registry exposes, and finding the Prometheus binaries.
 */
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMetrics } from '@myspinbot/telemetry';
import { Registry } from 'prom-client';
import { parse } from 'yaml';

export const DEPLOY_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = join(DEPLOY_DIR, '..');

export function deployPath(...parts: string[]): string {
  return join(DEPLOY_DIR, ...parts);
}

export function readText(...parts: string[]): string {
  return readFileSync(deployPath(...parts), 'utf8');
}

/** YAML as Compose reads it: merge keys (`<<: *anchor`) are expanded. */
export function readYaml<T = unknown>(...parts: string[]): T {
  return parse(readText(...parts), { merge: true }) as T;
}

// ------------------------------------------------------------------------------------------ compose

export interface ComposeHealthcheck {
  test?: string | string[];
  disable?: boolean;
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
}

export interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string; target?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  healthcheck?: ComposeHealthcheck;
  depends_on?: string[] | Record<string, { condition: string }>;
  deploy?: { replicas?: number; resources?: unknown };
  profiles?: string[];
  restart?: string;
  ports?: (string | number | Record<string, unknown>)[];
  volumes?: (string | Record<string, unknown>)[];
  labels?: string[] | Record<string, string>;
  networks?: string[] | Record<string, unknown>;
  container_name?: string;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  networks?: Record<string, unknown>;
  volumes?: Record<string, unknown>;
  [key: string]: unknown;
}

/** `KEY=VALUE` lines of an env file (Compose's .env format without quotes); comments and blanks skipped. */
export function parseEnvFile(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match?.[1]) throw new Error(`env file line ${index + 1} is not KEY=VALUE: ${raw}`);
    if (values.has(match[1])) throw new Error(`env file sets ${match[1]} twice`);
    values.set(match[1], match[2] ?? '');
  }
  return values;
}

export type InterpolationOperator = ':-' | '-' | ':?' | '?' | ':+' | '+' | null;

export interface VariableReference {
  name: string;
  operator: InterpolationOperator;
  operand: string;
  /** The reference as written, e.g. `${REDIS_PASSWORD:?set it}`. */
  text: string;
}

// $$ (a literal $), ${NAME}, ${NAME<op><operand>}, $NAME. Operands cannot nest another ${...}.
const REFERENCE =
  /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:-|-|:\?|\?|:\+|\+)([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Every variable reference in a text, in order (escaped `$$` is not one). */
export function variableReferences(text: string): VariableReference[] {
  const found: VariableReference[] = [];
  for (const match of text.matchAll(REFERENCE)) {
    if (match[1]) continue;
    const name = match[2] ?? match[5];
    if (!name) continue;
    found.push({
      name,
      operator: (match[3] as InterpolationOperator | undefined) ?? null,
      operand: match[4] ?? '',
      text: match[0],
    });
  }
  return found;
}

/** Compose interpolation of one string; a missing required variable throws with Compose's wording. */
export function interpolate(text: string, env: ReadonlyMap<string, string>): string {
  return text.replace(
    REFERENCE,
    (_whole, dollar?: string, braced?: string, operator?: string, operand = '', bare?: string) => {
      if (dollar) return '$';
      const name = (braced ?? bare) as string;
      const value = env.get(name);
      const empty = value === undefined || value === '';
      switch (operator) {
        case ':-':
          return empty ? operand : value;
        case '-':
          return value === undefined ? operand : value;
        case ':?':
          if (empty) throw new Error(`required variable ${name} is missing a value: ${operand}`);
          return value;
        case '?':
          if (value === undefined)
            throw new Error(`required variable ${name} is missing a value: ${operand}`);
          return value;
        case ':+':
          return empty ? '' : operand;
        case '+':
          return value === undefined ? '' : operand;
        default:
          return value ?? '';
      }
    },
  );
}

/** Interpolates every string value (not keys) of a parsed document, as Compose does before validating. */
export function interpolateDeep<T>(value: T, env: ReadonlyMap<string, string>): T {
  if (typeof value === 'string') return interpolate(value, env) as T;
  if (Array.isArray(value)) return value.map((item) => interpolateDeep(item, env)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, item]) => [
        key,
        interpolateDeep(item, env),
      ]),
    ) as T;
  }
  return value;
}

/** A service's environment as a map (list or mapping form). */
export function environmentOf(service: ComposeService): Map<string, string> {
  const env = new Map<string, string>();
  const raw = service.environment;
  if (Array.isArray(raw)) {
    for (const item of raw) {
      const at = item.indexOf('=');
      if (at === -1) env.set(item, '');
      else env.set(item.slice(0, at), item.slice(at + 1));
    }
  } else if (raw) {
    for (const [key, value] of Object.entries(raw)) env.set(key, value === null ? '' : String(value));
  }
  return env;
}

export function labelsOf(service: ComposeService): Map<string, string> {
  const labels = new Map<string, string>();
  const raw = service.labels;
  if (Array.isArray(raw)) {
    for (const item of raw) {
      const at = item.indexOf('=');
      labels.set(at === -1 ? item : item.slice(0, at), at === -1 ? '' : item.slice(at + 1));
    }
  } else if (raw) {
    for (const [key, value] of Object.entries(raw)) labels.set(key, value);
  }
  return labels;
}

/** Variables whose values are credentials. */
export const SECRET_NAME = /PASSWORD|SECRET|TOKEN|API_KEY|_KEYS$|PRIVATE|CREDENTIAL|REDISCLI_AUTH/i;

// ------------------------------------------------------------------------------------------- PromQL

const PROMQL_KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression selects. Strings, label matchers, ranges, label lists of
 * by/without/on/ignoring/group_*, and Grafana variables are removed first; what remains that is an
 * identifier, not a function call, not a keyword and not part of a number is a metric name.
 */
export function metricNamesIn(expr: string): string[] {
  let rest = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\{[^}]*\}|\$[A-Za-z_]\w*/g, ' ');
  rest = rest.replace(/\boffset\s+-?[0-9a-z]+/g, ' ');
  const names = new Set<string>();
  for (const match of rest.matchAll(/(?<![\w.])[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const name = match[0];
    const after = rest.slice((match.index ?? 0) + name.length).trimStart();
    if (after.startsWith('(')) continue;
    if (PROMQL_KEYWORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names];
}

/** The expression inside a Grafana variable query (`label_values(expr, label)`, `query_result(expr)`). */
export function variableQueryExpression(query: string): string | null {
  const trimmed = query.trim();
  const labelValues = /^label_values\(\s*(.+?)\s*,\s*[A-Za-z_]\w*\s*\)$/s.exec(trimmed);
  if (labelValues?.[1]) return labelValues[1];
  if (/^label_values\(\s*[A-Za-z_]\w*\s*\)$/.test(trimmed)) return null;
  const queryResult = /^query_result\((.+)\)$/s.exec(trimmed);
  if (queryResult?.[1]) return queryResult[1];
  if (/^(?:label_names|metrics)\(/.test(trimmed)) return null;
  return trimmed;
}

/** Series Prometheus makes itself for every target; they are in no exporter's registry. */
export const PROMETHEUS_SYNTHETIC = new Set([
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
]);

export interface RegistryNames {
  /** Every series name the registry can expose (histograms with _bucket/_sum/_count). */
  series: Set<string>;
  /** Metric names (families) of our own metrics, without the default process metrics. */
  own: Set<string>;
  /** Series name -> its metric family. */
  familyOf: Map<string, string>;
}

function seriesNames(family: { name: string; type: unknown }): string[] {
  if (family.type === 'histogram')
    return [`${family.name}_bucket`, `${family.name}_sum`, `${family.name}_count`];
  if (family.type === 'summary') return [family.name, `${family.name}_sum`, `${family.name}_count`];
  return [family.name];
}

/** What `createMetrics(new Registry())` exposes, read from the registry itself. */
export async function registryNames(): Promise<RegistryNames> {
  const all = await createMetrics(new Registry()).registry.getMetricsAsJSON();
  const own = await createMetrics(new Registry(), { defaultMetrics: false }).registry.getMetricsAsJSON();
  const familyOf = new Map<string, string>();
  for (const family of all) for (const name of seriesNames(family)) familyOf.set(name, family.name);
  return { series: new Set(familyOf.keys()), own: new Set(own.map((m) => m.name)), familyOf };
}

// ---------------------------------------------------------------------------------------- dashboards

export interface DashboardTarget {
  refId?: string;
  expr?: string;
  datasource?: { type?: string; uid?: string };
}

export interface DashboardPanel {
  id?: number;
  type: string;
  title?: string;
  datasource?: { type?: string; uid?: string };
  targets?: DashboardTarget[];
  gridPos?: { x: number; y: number; w: number; h: number };
  panels?: DashboardPanel[];
}

export interface DashboardVariable {
  name: string;
  type: string;
  query?: string | { query?: string };
  definition?: string;
  datasource?: { type?: string; uid?: string };
}

export interface Dashboard {
  uid: string;
  title: string;
  tags?: string[];
  panels: DashboardPanel[];
  templating?: { list?: DashboardVariable[] };
}

export const DASHBOARD_DIR = deployPath('grafana', 'dashboards');

export function loadDashboards(): { file: string; dashboard: Dashboard }[] {
  return readdirSync(DASHBOARD_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({
      file,
      dashboard: JSON.parse(readFileSync(join(DASHBOARD_DIR, file), 'utf8')) as Dashboard,
    }));
}

/** Panels at every depth (rows may hold collapsed panels). */
export function allPanels(panels: DashboardPanel[]): DashboardPanel[] {
  return panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])]);
}

export interface DashboardExpression {
  where: string;
  expr: string;
}

/** Every PromQL expression of a dashboard: panel targets and variable queries. */
export function dashboardExpressions(dashboard: Dashboard): DashboardExpression[] {
  const found: DashboardExpression[] = [];
  for (const panel of allPanels(dashboard.panels)) {
    for (const target of panel.targets ?? []) {
      if (target.expr)
        found.push({ where: `${dashboard.uid} / ${panel.title} / ${target.refId}`, expr: target.expr });
    }
  }
  for (const variable of dashboard.templating?.list ?? []) {
    if (variable.type !== 'query') continue;
    const queries = [
      variable.definition,
      typeof variable.query === 'string' ? variable.query : variable.query?.query,
    ];
    for (const query of queries) {
      const expr = query ? variableQueryExpression(query) : null;
      if (expr) found.push({ where: `${dashboard.uid} / $${variable.name}`, expr });
    }
  }
  return found;
}

/** Values for Grafana's variables so that an expression can be sent to Prometheus as it is. */
export function withGrafanaVariables(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__interval', '15s')
    .replaceAll('$__range', '1h')
    .replace(/\$\{[A-Za-z_]\w*\}|\$[A-Za-z_]\w*/g, '.*');
}

// ------------------------------------------------------------------------------------------ alerting

export interface RuleFile {
  groups: { name: string; rules: { alert?: string; record?: string; expr: string }[] }[];
}

export function alertExpressions(): DashboardExpression[] {
  const rules = readYaml<RuleFile>('prometheus', 'alerts.yml');
  return rules.groups.flatMap((group) =>
    group.rules.map((rule) => ({ where: `alerts.yml / ${rule.alert ?? rule.record}`, expr: rule.expr })),
  );
}

// ---------------------------------------------------------------------------------------- binaries

/**
 * The path of a Prometheus binary (Debian's `prometheus` package puts both in /usr/bin). A missing one
 * fails the test that needs it: these tests never skip.
 */
export function prometheusBinary(name: 'prometheus' | 'promtool'): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin'];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error(
    `${name} is not installed: these tests need Debian's prometheus package ` +
      '(apt-get install -y prometheus, which provides /usr/bin/prometheus and /usr/bin/promtool; .ci/run installs it)',
  );
}
