/**
 * Rows and their two outputs: a console table (name | value | baseline | ratio | target | pass) and
 * docs/benchmarks.md. Rules:
 * - every row states its value and, where one exists, the baseline measured in the same run and the ratio;
 * - each suite's section carries the machine, its load at start and end, the date and the command;
 * - a run replaces only the sections of the suites it ran; the others, and the hand-written text after
 *   the END marker, are kept as they were.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Machine } from './machine.js';
import { fmtRatio } from './stats.js';

export const SUITES = ['orchestration', 'websocket', 'render', 'reliability'] as const;
export type SuiteName = (typeof SUITES)[number];

export interface Row {
  name: string;
  value: string;
  /** The same quantity for the reference implementation, measured in the same run ('' when none). */
  baseline: string;
  /** value / baseline (null when there is no baseline). */
  ratio: number | null;
  target: string;
  /** null: informational row, no target. */
  pass: boolean | null;
}

export interface SuiteResult {
  suite: SuiteName;
  title: string;
  rows: Row[];
  /** How the rows were measured and what limits them. */
  notes: string[];
  startedAt: Date;
  seconds: number;
  loadStart: string;
  loadEnd: string;
}

export interface RunInfo {
  machine: Machine;
  command: string;
  quick: boolean;
  redis: string;
}

const HEADER = [
  '# Benchmarks',
  '',
  'Written by `npm run bench` (`bench/index.ts`); each section is replaced by the next run of its suite.',
  'Targets: PRODUCT.md section 7. Ratios are value / baseline, both measured in the same run on the same',
  'machine. Text after the END marker is kept across runs.',
  '',
].join('\n');

const END = '<!-- bench:end -->';
const begin = (suite: SuiteName): string => `<!-- bench:${suite}:begin -->`;
const finish = (suite: SuiteName): string => `<!-- bench:${suite}:finish -->`;

function passText(pass: boolean | null): string {
  if (pass === null) return '-';
  return pass ? 'yes' : 'NO';
}

function cells(row: Row): string[] {
  return [
    row.name,
    row.value,
    row.baseline || '-',
    fmtRatio(row.ratio),
    row.target || '-',
    passText(row.pass),
  ];
}

const COLUMNS = ['name', 'value', 'baseline', 'ratio', 'target', 'pass'];

/** Load above the core count at either end: processes waited for a CPU, wall times include that wait. */
function overloaded(result: SuiteResult, info: RunInfo): boolean {
  const first = (load: string) => Number(load.split(' / ')[0]);
  return Math.max(first(result.loadStart), first(result.loadEnd)) > info.machine.cores;
}

const OVERLOADED =
  'Warning: the load average exceeded the number of cores during this suite (other work shared the machine); ' +
  'wall-time results include waiting for a CPU and are pessimistic.';

export function consoleTable(result: SuiteResult, info: RunInfo): string {
  const rows = [COLUMNS, ...result.rows.map(cells)];
  const widths = COLUMNS.map((_c, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ');
  return [
    `== ${result.title} (${result.seconds.toFixed(0)} s; ${info.machine.cores} cores; load ${result.loadStart} -> ${result.loadEnd})`,
    line(COLUMNS),
    widths.map((w) => '-'.repeat(w)).join('-|-'),
    ...result.rows.map((r) => line(cells(r))),
    ...(overloaded(result, info) ? [OVERLOADED] : []),
  ].join('\n');
}

const escapeCell = (text: string): string => text.replaceAll('|', '\\|');

export function markdownSection(result: SuiteResult, info: RunInfo): string {
  const m = info.machine;
  return [
    begin(result.suite),
    `## ${result.title}`,
    '',
    `Run ${result.startedAt.toISOString()} by \`${info.command}\`${info.quick ? ' (quick: small N, not for comparison)' : ''}, ${result.seconds.toFixed(0)} s.`,
    `Machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}, Redis ${info.redis};` +
      ` load average (1/5/15 min) ${result.loadStart} at start, ${result.loadEnd} at end.`,
    ...(overloaded(result, info) ? ['', `**${OVERLOADED}**`] : []),
    '',
    `| ${COLUMNS.join(' | ')} |`,
    `| ${COLUMNS.map(() => '---').join(' | ')} |`,
    ...result.rows.map((r) => `| ${cells(r).map(escapeCell).join(' | ')} |`),
    '',
    ...result.notes.map((n) => `- ${n}`),
    '',
    finish(result.suite),
  ].join('\n');
}

/** Replaces the sections of `results` in `file`, keeping the other suites' sections and the tail. */
export function writeMarkdown(file: string, results: readonly SuiteResult[], info: RunInfo): void {
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const sections = new Map<SuiteName, string>();
  for (const suite of SUITES) {
    const from = old.indexOf(begin(suite));
    const to = old.indexOf(finish(suite));
    if (from !== -1 && to > from) sections.set(suite, old.slice(from, to + finish(suite).length));
  }
  for (const result of results) sections.set(result.suite, markdownSection(result, info));
  const endAt = old.indexOf(END);
  const tail = endAt === -1 ? '\n' : old.slice(endAt + END.length);
  const body = SUITES.flatMap((s) => {
    const section = sections.get(s);
    return section === undefined ? [] : [section, ''];
  });
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${HEADER}\n${body.join('\n')}${END}${tail}`);
}
