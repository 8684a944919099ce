/**
 * The baseline: a bare `ws` server (same frame limit, no compression) with the same number of clients,
 * each sent its own update every `everyMs`, built from a real update so payloads have the same size and are
 * serialised per send like the real server's. No bus, no job state, no framework. Each client's timer
 * starts at a random phase (jobs started at different moments), or, `aligned`, one timer sends to every
 * client at once (a broadcast, as in PRODUCT.md's baseline).
 */
import { type WebSocket, WebSocketServer } from 'ws';
import type { PhaseServer } from './phase.js';
import { EventLog } from './protocol.js';

export interface BareServer extends PhaseServer {
  stop(): Promise<void>;
}

export async function startBare(
  clients: number,
  everyMs: number,
  template: string,
  capacity: number,
  aligned: boolean,
): Promise<BareServer> {
  const base = JSON.parse(template) as Record<string, unknown>;
  const jobIds = Array.from({ length: clients }, (_v, i) => `bare-${i}`);
  const index = new Map(jobIds.map((id, i) => [id, i]));
  const log = new EventLog(capacity);
  const timers = new Set<NodeJS.Timeout>();
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    maxPayload: 4096,
    perMessageDeflate: false,
  });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));

  const subscribed = new Map<number, WebSocket>();
  let step = 0;
  const send = (socket: WebSocket, job: number): void => {
    const at = Date.now();
    step += 1;
    const progress = (step % 1000) / 1000;
    socket.send(
      JSON.stringify({ ...base, jobId: jobIds[job], progress, updatedAt: new Date(at).toISOString() }),
    );
    log.add(job, at);
  };
  const every = (ms: number, task: () => void): void => {
    const timer = setInterval(task, ms);
    timers.add(timer);
  };
  if (aligned) {
    every(everyMs, () => {
      for (const [job, socket] of subscribed) send(socket, job);
    });
  }
  server.on('connection', (socket) => {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { jobId?: unknown };
      const job = index.get(typeof message.jobId === 'string' ? message.jobId : '');
      if (job === undefined) return;
      socket.send(JSON.stringify({ type: 'subscribed', jobId: message.jobId }));
      subscribed.set(job, socket);
      socket.on('close', () => subscribed.delete(job));
      if (aligned) return;
      const phase = setTimeout(() => {
        timers.delete(phase);
        if (!subscribed.has(job)) return;
        send(socket, job);
        every(everyMs, () => {
          if (subscribed.has(job)) send(socket, job);
        });
      }, Math.random() * everyMs);
      timers.add(phase);
    });
  });

  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    jobIds,
    open: () => log.open(),
    close: () => log.close(),
    expected: () => log.expected(),
    async stop() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
