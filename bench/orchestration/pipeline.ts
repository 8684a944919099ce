/**
 * Orchestration's share of the default pipeline: 'talking-portrait' jobs through the embedded composition
 * (both planes in this process, on the Redis bus, real engines), posted to POST /api/train. Service time is
 * the union of the nodes' [startedAt, finishedAt] intervals from the final graph. Orchestration is the rest
 * of the time from the submit (the 'queued' event the submit script publishes) to the 'completed' event:
 * the first read, checkpoints, handoffs, reads between nodes, the finish and its event. The POST before the
 * submit (upload checks with a full image decode, storing, history, planning) is reported beside it.
 * A node's interval begins before its 'running' checkpoint, so that checkpoint counts as service time: the
 * share is slightly underestimated, by about one script per node.
 * The process serves a smaller warm-up job first, so the measured jobs see a running server, not one paying
 * its first-request costs (module initialisation, schema compilation, the first face detection).
 */
import { readFileSync } from 'node:fs';
import { isTerminalStatus } from '@myspinbot/bus';
import type { WorkflowGraph } from '@myspinbot/contracts';
import { type ControlProcess, DEFAULT_CATALOG_FILE } from '@myspinbot/server';
import { startEmbeddedProcess } from '../embedded-process.js';
import { NARRATION, PORTRAIT } from '../paths.js';
import { sleep, within } from '../stats.js';
import { REDIS_URL } from './redis.js';

export interface PipelineRun {
  options: Record<string, number>;
  /** Submit ('queued' event) -> completed event. */
  wallMs: number;
  serviceMs: number;
  /** POST start -> submit: upload checks, storing, history, planning. */
  postMs: number;
  /** Submit -> first node start, gaps between nodes, last node end -> completed event. */
  admissionMs: number;
  gapsMs: number;
  completionMs: number;
  nodes: { id: string; ms: number }[];
  /** Time between one node's end and the next one's start, in start order (ms). */
  gaps: { to: string; ms: number }[];
  /** Size of the final graph's JSON (every checkpoint and handoff writes the whole graph). */
  graphBytes: number;
}

function multipart(fields: Record<string, string | Buffer>): { body: Buffer; contentType: string } {
  const boundary = `----bench${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    const file = typeof value === 'string' ? '' : `; filename="${name}.jpg"\r\nContent-Type: image/jpeg`;
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"${file}\r\n\r\n`));
    parts.push(typeof value === 'string' ? Buffer.from(value) : value, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Node intervals in epoch ms, in start order (skipped and unstarted nodes left out). */
function intervals(graph: WorkflowGraph): { id: string; from: number; to: number }[] {
  return graph.nodes
    .map((n) => ({
      id: n.id,
      from: Date.parse(n.timings?.startedAt ?? ''),
      to: Date.parse(n.timings?.finishedAt ?? ''),
    }))
    .filter((n) => Number.isFinite(n.from) && Number.isFinite(n.to))
    .sort((a, b) => a.from - b.from);
}

/** Total length of the union of the intervals (parallel nodes are not counted twice). */
function unionMs(list: readonly { from: number; to: number }[]): number {
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const { from, to } of list) {
    if (to <= end) continue;
    total += to - Math.max(from, end);
    end = to;
  }
  return total;
}

async function runJob(
  proc: ControlProcess,
  options: Record<string, number>,
  timeoutMs: number,
): Promise<PipelineRun> {
  const { body, contentType } = multipart({
    image: readFileSync(PORTRAIT),
    prompt: NARRATION,
    options: JSON.stringify(options),
  });
  const submitted = new Map<string, number>();
  const offQueued = proc.hub.onAny((event) => {
    if (event.type === 'status' && event.status === 'queued')
      submitted.set(event.jobId, Date.parse(event.at));
  });
  const posted = Date.now();
  const response = await proc.app.inject({
    method: 'POST',
    url: '/api/train',
    payload: body,
    headers: { 'content-type': contentType },
  });
  const answer = response.json() as { jobId?: unknown };
  if (response.statusCode !== 202 || typeof answer.jobId !== 'string') {
    throw new Error(`pipeline: POST /api/train answered ${response.statusCode}: ${response.body}`);
  }
  const jobId = answer.jobId;
  // The 'queued' event travels over pub/sub and may arrive after the 202 answer.
  const deadline = Date.now() + 2000;
  while (!submitted.has(jobId) && Date.now() < deadline) await sleep(5);
  offQueued();
  const start = submitted.get(jobId);
  if (start === undefined) throw new Error('pipeline: the submit published no queued event');
  let endedAt = Number.NaN;
  const off = proc.hub.on(jobId, (event) => {
    if (event.type === 'status' && event.status !== undefined && isTerminalStatus(event.status)) {
      endedAt = Date.now();
    }
  });
  const record = await within(proc.hub.waitForTerminal(jobId, timeoutMs), timeoutMs + 1000, 'pipeline');
  off();
  if (record?.status !== 'completed' || !record.graph) {
    throw new Error(`pipeline: job ended ${record?.status}: ${JSON.stringify(record?.error)}`);
  }
  const nodes = intervals(record.graph);
  const first = nodes[0];
  const last = nodes.reduce((max, n) => Math.max(max, n.to), Number.NEGATIVE_INFINITY);
  if (!first || !Number.isFinite(endedAt)) throw new Error('pipeline: no node timings or no end event');
  const wallMs = endedAt - start;
  const serviceMs = unionMs(nodes);
  const admissionMs = first.from - start;
  const completionMs = endedAt - last;
  return {
    options,
    wallMs,
    serviceMs,
    postMs: start - posted,
    admissionMs,
    completionMs,
    gapsMs: wallMs - serviceMs - admissionMs - completionMs,
    nodes: nodes.map((n) => ({ id: n.id, ms: n.to - n.from })),
    gaps: nodes.slice(1).map((n, i) => ({ to: n.id, ms: n.from - (nodes[i]?.to ?? n.from) })),
    graphBytes: JSON.stringify(record.graph).length,
  };
}

/** Runs the warm-up job, then `runs` measured ones one after another, on one embedded process. */
export async function pipelineOverhead(
  prefix: string,
  warmup: Record<string, number>,
  measured: Record<string, number>,
  runs: number,
  timeoutMs: number,
): Promise<{ warmup: PipelineRun; measured: PipelineRun[] }> {
  const { proc, stop } = await startEmbeddedProcess(
    { REDIS_URL, BUS_PREFIX: prefix, DRAIN_TIMEOUT_MS: '1000' },
    DEFAULT_CATALOG_FILE,
  );
  try {
    const first = await runJob(proc, warmup, timeoutMs);
    const list: PipelineRun[] = [];
    for (let i = 0; i < runs; i++) list.push(await runJob(proc, measured, timeoutMs));
    return { warmup: first, measured: list };
  } finally {
    await stop();
  }
}
