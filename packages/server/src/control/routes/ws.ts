import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { JobFeed } from '../ws/job-feed.js';
import { JobSocket, type SocketMetrics } from '../ws/socket.js';

export interface WsOptions {
  feed: JobFeed;
  metrics: SocketMetrics & { connections: { inc(): void; dec(): void } };
  heartbeatMs: number;
  /** Checked before the upgrade: answers an error to refuse the connection. */
  admit: (
    headers: Record<string, string | string[] | undefined>,
    query: Record<string, unknown>,
  ) => { status: number; code: string; message: string } | null;
}

/** WebSocket /ws: small frames only (4 KiB), heartbeats, dead peers terminated. */
export async function wsRoutes(app: FastifyInstance, options: WsOptions): Promise<void> {
  await app.register(websocket, { options: { maxPayload: 4096, perMessageDeflate: false } });
  const sockets = new Set<{ socket: import('ws').WebSocket; job: JobSocket; alive: boolean }>();
  const timer = setInterval(() => {
    for (const entry of sockets) {
      if (!entry.alive) {
        entry.socket.terminate();
        continue;
      }
      entry.alive = false;
      entry.socket.ping();
      entry.job.heartbeat();
    }
  }, options.heartbeatMs);
  timer.unref();
  app.addHook('onClose', async () => {
    clearInterval(timer);
    for (const entry of sockets) entry.socket.terminate();
  });

  app.get(
    '/ws',
    {
      websocket: true,
      preValidation: async (request, reply) => {
        const refusal = options.admit(request.headers, request.query as Record<string, unknown>);
        if (refusal)
          return reply
            .status(refusal.status)
            .send({ error: { code: refusal.code, message: refusal.message } });
      },
    },
    (socket) => {
      const entry = {
        socket,
        job: new JobSocket(
          socket,
          options.feed,
          { maxSubscriptions: 200, maxBufferedBytes: 1 << 20 },
          options.metrics,
        ),
        alive: true,
      };
      sockets.add(entry);
      options.metrics.connections.inc();
      socket.on('pong', () => {
        entry.alive = true;
      });
      socket.on('close', () => {
        sockets.delete(entry);
        options.metrics.connections.dec();
      });
    },
  );
}
