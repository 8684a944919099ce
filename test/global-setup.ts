/**
 * Fails the run early, with a clear message, when a service the tests need is missing.
 * Tests talk to the real Redis (REDIS_URL, default redis://127.0.0.1:6379) and use random key prefixes.
 */
import { createConnection } from 'node:net';

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port, timeout: 2000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export default async function setup(): Promise<void> {
  const url = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const port = Number(url.port || 6379);
  if (!(await reachable(url.hostname, port))) {
    throw new Error(
      `The tests need a Redis server at ${url.hostname}:${port} (set REDIS_URL to use another). ` +
        'Start one with: redis-server --daemonize yes --port 6379 --save "" --appendonly no',
    );
  }
}
