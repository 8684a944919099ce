/**
 * npm run bench [-- --only orchestration|websocket|render|reliability] [--quick] [--out FILE]
 * Runs the suites one after another in this process (the WebSocket clients and the orchestration worker
 * run in child processes), prints each row as value | baseline | ratio | target | pass with the machine's
 * cores and load, and writes the sections of the suites it ran to docs/benchmarks.md (a --quick run writes
 * test-artifacts/benchmarks-quick.md instead, so a smoke run never replaces the real numbers).
 * Exit code 0 whether targets hold or not; 1 when a suite could not run.
 */
import { join } from 'node:path';
import { machine, redisVersion } from './machine.js';
import { connectRedis } from './orchestration/redis.js';
import { orchestrationSuite } from './orchestration.js';
import { ROOT } from './paths.js';
import { reliabilitySuite } from './reliability.js';
import { renderSuite } from './render.js';
import {
  consoleTable,
  type RunInfo,
  SUITES,
  type SuiteName,
  type SuiteResult,
  writeMarkdown,
} from './report.js';
import { websocketSuite } from './websocket.js';

interface Args {
  only: SuiteName[];
  quick: boolean;
  out: string;
}

function isSuite(name: string): name is SuiteName {
  return (SUITES as readonly string[]).includes(name);
}

function parseArgs(argv: readonly string[]): Args {
  const only: SuiteName[] = [];
  let quick = false;
  let out = '';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') quick = true;
    else if (arg === '--only' || arg === '--out') {
      const value = argv[i + 1] ?? '';
      i += 1;
      if (arg === '--out') out = value;
      else {
        for (const name of value.split(',')) {
          if (!isSuite(name)) throw new Error(`--only takes ${SUITES.join('|')}, not '${name}'`);
          only.push(name);
        }
      }
    } else throw new Error(`unknown argument '${arg}' (use --only ${SUITES.join('|')}, --quick, --out FILE)`);
  }
  const file = out || join(ROOT, quick ? 'test-artifacts/benchmarks-quick.md' : 'docs/benchmarks.md');
  return { only: only.length > 0 ? only : [...SUITES], quick, out: file };
}

const SUITE_RUNNERS: Record<
  SuiteName,
  (quick: boolean, log: (line: string) => void) => Promise<SuiteResult>
> = {
  orchestration: orchestrationSuite,
  websocket: websocketSuite,
  render: renderSuite,
  reliability: reliabilitySuite,
};

async function redisInfo(): Promise<string> {
  const redis = connectRedis();
  try {
    return await redisVersion(redis);
  } catch {
    return 'unreachable';
  } finally {
    redis.disconnect();
  }
}

const args = parseArgs(process.argv.slice(2));
const info: RunInfo = {
  machine: machine(),
  command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  quick: args.quick,
  redis: await redisInfo(),
};
console.log(
  `bench: ${args.only.join(', ')}${args.quick ? ' (quick)' : ''}; ${info.machine.cores} cores, ${info.machine.cpuModel}, Node ${info.machine.node}, Redis ${info.redis}`,
);
const results: SuiteResult[] = [];
let failed = false;
for (const suite of args.only) {
  const log = (line: string) => console.log(`[${suite}] ${line}`);
  try {
    const result = await SUITE_RUNNERS[suite](args.quick, log);
    results.push(result);
    console.log(`\n${consoleTable(result, info)}\n`);
  } catch (error) {
    failed = true;
    console.error(`[${suite}] failed:`, error);
  }
}
if (results.length > 0) {
  writeMarkdown(args.out, results, info);
  console.log(`written: ${args.out}`);
}
// Libraries may keep handles (sockets in TIME_WAIT, timers) a moment longer than the run needs.
process.exit(failed ? 1 : 0);
