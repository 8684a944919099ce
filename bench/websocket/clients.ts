/**
 * Child process: N WebSocket clients, each subscribed to its own job ({"action":"SUBSCRIBE","jobId"}), in
 * one event loop separate from the server's. While recording, every update is kept as (job, updatedAt,
 * receive time); the process's own event-loop delay and CPU are measured too, since a slow client
 * would inflate the delays it reports. See protocol.ts for the messages.
 */
import WebSocket from 'ws';
import { onParent, toParent } from '../child.js';
import { eventLoopDelay } from '../machine.js';

const sockets: WebSocket[] = [];
let recording = false;
const job: number[] = [];
const at: number[] = [];
const recv: number[] = [];
let bytes = 0;
let updates = 0;
let sample = '';
const eld = eventLoopDelay();
let cpuAtStart: NodeJS.CpuUsage | null = null;

function onMessage(index: number, text: string): void {
  const now = Date.now();
  if (!recording) {
    if (sample === '' && text.includes('"type":"update"')) sample = text;
    return;
  }
  bytes += text.length;
  const message = JSON.parse(text) as { type?: unknown; updatedAt?: unknown };
  if (message.type !== 'update' || typeof message.updatedAt !== 'string') return;
  updates += 1;
  job.push(index);
  at.push(Date.parse(message.updatedAt));
  recv.push(now);
}

/** Opens one client and resolves once the server confirmed the subscription. */
function connect(url: string, jobId: string, index: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    sockets.push(socket);
    const timer = setTimeout(() => reject(new Error(`client ${index}: no subscription within 30 s`)), 30_000);
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('open', () => socket.send(JSON.stringify({ action: 'SUBSCRIBE', jobId })));
    socket.on('message', (data) => {
      const text = data.toString();
      if (text.startsWith('{"type":"subscribed"')) {
        clearTimeout(timer);
        resolve();
      }
      onMessage(index, text);
    });
  });
}

async function connectAll(url: string, jobIds: readonly string[], parallel: number): Promise<void> {
  const start = performance.now();
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < jobIds.length; i = next++) await connect(url, jobIds[i] ?? '', i);
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  toParent({ type: 'connected', ms: performance.now() - start, sample });
}

function report(): void {
  recording = false;
  const loop = eld.stop();
  const used = process.cpuUsage(cpuAtStart ?? undefined);
  toParent({
    type: 'report',
    job: Int32Array.from(job),
    at: Float64Array.from(at),
    recv: Float64Array.from(recv),
    bytes,
    updates,
    eld: loop,
    cpuMs: (used.user + used.system) / 1000,
  });
}

onParent((message) => {
  if (message.type === 'connect') {
    const url = String(message.url);
    const jobIds = Array.isArray(message.jobIds) ? message.jobIds.map(String) : [];
    const parallel = typeof message.parallel === 'number' ? message.parallel : 20;
    connectAll(url, jobIds, parallel).catch((error: unknown) => {
      toParent({ type: 'failed', error: String(error) });
    });
  } else if (message.type === 'record') {
    eld.start();
    cpuAtStart = process.cpuUsage();
    recording = true;
  } else if (message.type === 'report') {
    report();
  } else if (message.type === 'close') {
    for (const socket of sockets) socket.terminate();
    process.exit(0);
  }
});
process.once('disconnect', () => process.exit(0));
