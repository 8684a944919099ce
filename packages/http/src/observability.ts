/**
 * /health (liveness), /ready (dependencies reachable, 503 when not) and /metrics (Prometheus text), plus
 * the HTTP request-duration histogram by route and status, for any MySpinBot server.
 */
import type { Metrics } from '@myspinbot/telemetry';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export type ReadinessCheck = () => Promise<boolean>;

export interface ObservabilityOptions {
  metrics: Metrics;
  role: string;
  /** Named dependency checks for /ready (e.g. redis, executor). */
  checks: Record<string, ReadinessCheck>;
}

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      check(),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export const observability = fp<ObservabilityOptions>(
  async (app: FastifyInstance, options) => {
    const { metrics } = options;
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      metrics.httpRequestDuration.observe(
        { method: request.method, route, status_code: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    });
    app.get('/health', async () => ({
      status: 'ok',
      role: options.role,
      uptimeSeconds: Math.round(process.uptime()),
    }));
    app.get('/ready', async (_request, reply) => {
      const entries = await Promise.all(
        Object.entries(options.checks).map(
          async ([name, check]) => [name, await runCheck(check, 2000)] as const,
        ),
      );
      const checks = Object.fromEntries(entries.map(([name, ok]) => [name, ok ? 'ok' : 'failing']));
      const ready = entries.every(([, ok]) => ok);
      return reply
        .status(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'not ready', role: options.role, checks });
    });
    app.get('/metrics', async (_request, reply) => {
      const text = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(text);
    });
  },
  { name: 'myspinbot-observability' },
);
