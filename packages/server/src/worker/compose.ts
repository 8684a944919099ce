/**
 * Composition of a data-plane worker process: config -> logger, metrics, Redis bus, artifact store ->
 * data executor -> a small HTTP server for /health, /ready and /metrics.
 */
import { createBus } from '@myspinbot/bus';
import type { AppConfig } from '@myspinbot/contracts';
import { createServer, errorHandling, observability } from '@myspinbot/http';
import type { PlaneExecutor } from '@myspinbot/runtime';
import { createPlaneExecutor, loadEngines, type PlaneDeps, storeFromConfig } from '@myspinbot/services';
import { createLogger, createMetrics } from '@myspinbot/telemetry';
import { Registry } from 'prom-client';

export interface WorkerProcess {
  executor: PlaneExecutor<PlaneDeps>;
  url: string;
  stop(): Promise<void>;
}

export async function startWorkerProcess(config: AppConfig): Promise<WorkerProcess> {
  const logger = createLogger({ level: config.log.level, name: 'worker' });
  const metrics = createMetrics(new Registry());
  const store = storeFromConfig(config);
  await store.init();
  const bus = createBus(config.bus);
  bus.on('error', (error) => logger.warn({ err: error }, 'bus connection error'));
  await bus.init();
  const engines = await loadEngines(config.engines);
  const executor = createPlaneExecutor({
    engines,
    plane: 'python',
    config,
    bus,
    store,
    logger,
    hooks: metrics.executorHooks('python'),
  });
  metrics.watchStreams(bus, ['python']);
  metrics.watchExecutor('python', () => executor.busy);
  await executor.start();

  const app = createServer({ logger });
  await app.register(errorHandling);
  await app.register(observability, {
    metrics,
    role: 'worker',
    checks: {
      bus: () => bus.ping(),
      storage: () => store.ping(),
      executor: async () => executor.state === 'running',
    },
  });
  const url = await app.listen({ host: config.server.host, port: config.server.port });
  logger.info({ url, services: executor.manifest().services.map((s) => s.name) }, 'worker listening');
  return {
    executor,
    url,
    async stop() {
      logger.info('stopping');
      await app.close();
      await executor.stop(config.executor.drainTimeoutMs);
      await bus.close();
      await store.close();
      logger.info('stopped');
    },
  };
}
