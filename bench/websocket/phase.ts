/**
 * One measured phase against a WebSocket server (the real one or the bare baseline): clients connect and
 * subscribe from the client process, memory is sampled before and after (after a full GC), then for
 * `windowMs` the server's event-loop delay and CPU are measured while the clients record; updates still
 * in flight get `graceMs` to arrive before the clients report. Lost = events the server side produced in
 * the window that no client received.
 */
import { BenchChild, type Message } from '../child.js';
import { eventLoopDelay, type LoopDelay, type MemorySample, memoryNow } from '../machine.js';
import { sleep } from '../stats.js';
import { type ClientReport, type Expected, parseReport, type Score, score } from './protocol.js';

/** A server under test: where clients connect, the jobs they subscribe to, and the events it produced. */
export interface PhaseServer {
  url: string;
  jobIds: readonly string[];
  /** Starts counting the events produced from now on. */
  open(): void;
  /** Stops counting: events stamped from now on are not expected. */
  close(): void;
  /** The events produced between open and close (call after the grace period). */
  expected(): Expected;
}

export interface PhasePlan {
  parallelConnects: number;
  connectTimeoutMs: number;
  settleMs: number;
  windowMs: number;
  graceMs: number;
}

export interface PhaseResult {
  clients: number;
  connectMs: number;
  score: Score;
  client: ClientReport;
  /** A received update, verbatim (the bare baseline sends messages built on it). */
  sample: string;
  server: { eld: LoopDelay; cpu: number };
  /** Per client: after subscribing minus before connecting, and growth during the window (bytes). */
  memory: { rss: number; heap: number; rssGrowth: number; heapGrowth: number };
}

const perClient = (a: MemorySample, b: MemorySample, n: number) => ({
  rss: (b.rss - a.rss) / n,
  heap: (b.heapUsed + b.external - a.heapUsed - a.external) / n,
});

export async function runPhase(server: PhaseServer, plan: PhasePlan): Promise<PhaseResult> {
  const n = server.jobIds.length;
  const before = memoryNow();
  const child = BenchChild.start('bench/websocket/clients.ts', []);
  try {
    child.send({
      type: 'connect',
      url: server.url,
      jobIds: [...server.jobIds],
      parallel: plan.parallelConnects,
    });
    const connected: Message = await child.next(['connected', 'failed'], plan.connectTimeoutMs);
    if (connected.type === 'failed') throw new Error(`clients failed to connect: ${String(connected.error)}`);
    await sleep(plan.settleMs);
    const subscribed = memoryNow();
    child.send({ type: 'record' });
    await sleep(50);
    const eld = eventLoopDelay();
    eld.start();
    const cpu = process.cpuUsage();
    const start = performance.now();
    server.open();
    await sleep(plan.windowMs);
    server.close();
    const seconds = (performance.now() - start) / 1000;
    const used = process.cpuUsage(cpu);
    const loop = eld.stop();
    await sleep(plan.graceMs);
    const end = memoryNow();
    child.send({ type: 'report' });
    const report = parseReport(await child.next('report', 60_000));
    const connectedMemory = perClient(before, subscribed, n);
    const growth = perClient(subscribed, end, n);
    return {
      clients: n,
      connectMs: typeof connected.ms === 'number' ? connected.ms : Number.NaN,
      score: score(server.expected(), report),
      client: report,
      sample: typeof connected.sample === 'string' ? connected.sample : '',
      server: {
        eld: loop,
        cpu: (used.user + used.system) / 1e6 / seconds,
      },
      memory: { ...connectedMemory, rssGrowth: growth.rss, heapGrowth: growth.heap },
    };
  } finally {
    child.send({ type: 'close' });
    await child.stop();
  }
}
