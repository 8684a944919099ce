/**
 * Suite 2, WebSocket (PRODUCT.md §7): N clients (1,000; --quick 100), each subscribed to its own running job
 * that reports progress 5 times a second, against the real embedded server; then the same clients against
 * a bare `ws` server sending the same payloads at the same rate. Clients live in one child process.
 * Delay = receive time - the event's `at` (one machine, one clock). Memory per client = (after subscribing
 * - before connecting) / N, after a full GC; growth = change over the window.
 */
import { load } from './machine.js';
import type { Row, SuiteResult } from './report.js';
import { fmtBytes, fmtMs, fmtNum, ratio, summarize } from './stats.js';
import { startBare } from './websocket/bare.js';
import { startEmbedded } from './websocket/embedded.js';
import { type PhasePlan, type PhaseResult, runPhase } from './websocket/phase.js';

const EVERY_MS = 200;
/** Job starts are spread over this long, so their updates are spread over the period as users' would be. */
const SPREAD_MS = 1000;
/** Jobs outlast the phase; they are stopped with the server. */
const JOB_MS = 15 * 60_000;
/** "Bounded" made checkable: live memory per client after subscribing, and its growth over the window. */
const MAX_HEAP_PER_CLIENT = 64 * 1024;
const MAX_GROWTH_PER_CLIENT = 4 * 1024;

interface Plan extends PhasePlan {
  clients: number;
}

const FULL: Plan = {
  clients: 1000,
  parallelConnects: 50,
  connectTimeoutMs: 120_000,
  settleMs: 2000,
  windowMs: 20_000,
  graceMs: 1500,
};
const QUICK: Plan = { ...FULL, clients: 100, parallelConnects: 20, settleMs: 1000, windowMs: 5000 };

function deliveredText(r: PhaseResult): string {
  return `${r.score.delivered.toLocaleString('en-US')} of ${r.score.expected.toLocaleString('en-US')}, ${r.score.lost} lost`;
}

function delays(r: PhaseResult) {
  return summarize(r.score.delays);
}

function delayText(r: PhaseResult): string {
  const s = delays(r);
  return `p50 ${fmtMs(s.p50)}, p99 ${fmtMs(s.p99)} (max ${fmtNum(s.max)})`;
}

function eldText(r: PhaseResult): string {
  return `p50 ${fmtMs(r.server.eld.p50)}, p99 ${fmtMs(r.server.eld.p99)} (max ${fmtNum(r.server.eld.max)})`;
}

function memoryText(r: PhaseResult): string {
  return `heap ${fmtBytes(r.memory.heap)}, rss ${fmtBytes(r.memory.rss)}; growth heap ${fmtBytes(r.memory.heapGrowth)}`;
}

function phaseNote(name: string, r: PhaseResult, windowMs: number): string {
  const rate = r.score.expected / r.clients / (windowMs / 1000);
  const perUpdateUs = (r.server.cpu * 1e6) / (rate * r.clients);
  return (
    `${name}: ${r.clients} clients connected and subscribed in ${fmtNum(r.connectMs / 1000)} s; ` +
    `${fmtNum(rate)} updates/s per job; ${fmtNum(r.client.bytes / Math.max(1, r.client.updates))} bytes per update; ` +
    `server CPU ${Math.round(r.server.cpu * 100)}% of a core (${fmtNum(perUpdateUs)} µs per update); ` +
    `client process CPU ${Math.round((r.client.cpuMs / windowMs) * 100)}%, ` +
    `its event-loop delay p99 ${fmtMs(r.client.eld.p99)} (max ${fmtNum(r.client.eld.max)}).`
  );
}

interface Pair {
  real: PhaseResult;
  bare: PhaseResult;
}

/**
 * The real server then the bare one, same clients. `burst`: every job submitted at once and the bare
 * server broadcasting to all clients in one timer tick; otherwise job starts are spread over SPREAD_MS and
 * the bare server's timers have random phases.
 */
async function pair(plan: Plan, burst: boolean, log: (line: string) => void): Promise<Pair> {
  const capacity = plan.clients * Math.ceil(plan.windowMs / EVERY_MS + 20);
  const how = burst ? 'all updating at the same moments' : 'updates spread over the period';
  log(`real server: ${plan.clients} jobs running diag.sleep, ${plan.clients} clients, ${how}`);
  const embedded = await startEmbedded(plan.clients, EVERY_MS, JOB_MS, burst ? 0 : SPREAD_MS, capacity);
  let real: PhaseResult;
  try {
    real = await runPhase(embedded, plan);
  } finally {
    await embedded.stop();
  }
  if (real.sample === '') throw new Error('websocket: no update was received before recording');
  log(`bare ws server: ${plan.clients} clients, same payloads every ${EVERY_MS} ms, ${how}`);
  const bareServer = await startBare(plan.clients, EVERY_MS, real.sample, capacity, burst);
  try {
    return { real, bare: await runPhase(bareServer, plan) };
  } finally {
    await bareServer.stop();
  }
}

function lossRow(name: string, { real, bare }: Pair, target: boolean): Row {
  return {
    name,
    value: deliveredText(real),
    baseline: deliveredText(bare),
    ratio: null,
    target: target ? 'nothing lost' : '',
    pass: target ? real.score.lost === 0 && real.score.expected > 0 : null,
  };
}

function delayRow(name: string, { real, bare }: Pair, target: boolean): Row {
  const p99 = delays(real).p99;
  return {
    name,
    value: delayText(real),
    baseline: delayText(bare),
    ratio: ratio(p99, delays(bare).p99),
    target: target ? 'p99 <= 100 ms' : '',
    pass: target ? p99 <= 100 : null,
  };
}

export async function websocketSuite(quick: boolean, log: (line: string) => void): Promise<SuiteResult> {
  const plan = quick ? QUICK : FULL;
  const startedAt = new Date();
  const loadStart = load();
  const began = performance.now();
  const spread = await pair(plan, false, log);
  const burst = await pair(plan, true, log);
  const { real, bare } = spread;
  const n = plan.clients;
  const rows: Row[] = [
    lossRow(`updates delivered / lost (${n} clients x 5/s)`, spread, true),
    delayRow('delay, event -> client (p99 ratio)', spread, true),
    {
      name: 'server event-loop delay (p99 ratio)',
      value: eldText(real),
      baseline: eldText(bare),
      ratio: ratio(real.server.eld.p99, bare.server.eld.p99),
      target: '',
      pass: null,
    },
    {
      name: 'memory per client (heap = heapUsed + external)',
      value: memoryText(real),
      baseline: memoryText(bare),
      ratio: ratio(real.memory.heap, bare.memory.heap),
      target: `bounded: heap <= ${fmtBytes(MAX_HEAP_PER_CLIENT)}, growth <= ${fmtBytes(MAX_GROWTH_PER_CLIENT)}`,
      pass: real.memory.heap <= MAX_HEAP_PER_CLIENT && real.memory.heapGrowth <= MAX_GROWTH_PER_CLIENT,
    },
    lossRow('burst: delivered / lost (all jobs submitted at once; bare: one broadcast tick)', burst, false),
    delayRow('burst: delay, event -> client (p99 ratio)', burst, false),
    {
      name: 'burst: server event-loop delay (p99 ratio)',
      value: eldText(burst.real),
      baseline: eldText(burst.bare),
      ratio: ratio(burst.real.server.eld.p99, burst.bare.server.eld.p99),
      target: '',
      pass: null,
    },
  ];
  const notes = [
    'Real server: startControlProcess (embedded: memory bus, both planes, Fastify + @fastify/websocket) in the bench process; ' +
      `each job is one diag.sleep node on the data plane reporting progress every ${EVERY_MS} ms (executor -> bus -> event hub -> JobFeed -> socket); ` +
      'a data-plane executor runs at most 64 jobs (config schema), so the jobs are spread over several data-plane executors on the same bus. ' +
      `Expected events: the progress events of those jobs stamped inside the ${plan.windowMs / 1000} s window, as seen on the process's event hub; ` +
      'a client update counts when its updatedAt equals one of them.',
    `Job starts are spread over ${SPREAD_MS / 1000} s, as jobs of independent users would be; the bare server's per-client timers have random phases. ` +
      "Burst rows: all jobs submitted at once (their timers end up firing together) against a bare broadcast from one timer, as in PRODUCT.md's baseline; shown for context, no target.",
    'Bare baseline: ws.WebSocketServer, each message a real update re-serialised per send.',
    'Server caps per connection (packages/server/src/control/routes/ws.ts): incoming frames <= 4 KiB; above 1 MiB buffered, a socket keeps only the latest state per job (coalesced).',
    phaseNote('Real', real, plan.windowMs),
    phaseNote('Bare', bare, plan.windowMs),
    phaseNote('Burst, real', burst.real, plan.windowMs),
    phaseNote('Burst, bare', burst.bare, plan.windowMs),
    'Memory is sampled after a full GC; the bench keeps its own record of expected events in arrays allocated before the first sample. RSS per client moves with the allocator and is noisier than heap.',
  ];
  return {
    suite: 'websocket',
    title: 'WebSocket',
    rows,
    notes,
    startedAt,
    seconds: (performance.now() - began) / 1000,
    loadStart,
    loadEnd: load(),
  };
}
