/**
 * Composition of the control-plane process (and of the embedded process, which adds the data plane):
 * config -> logger, metrics, bus -> executors -> HTTP server. Nothing else in the app builds these.
 */
import { type Bus, createBus, JobEventHub } from '@myspinbot/bus';
import type { AppConfig } from '@myspinbot/contracts';
import type { PlaneExecutor } from '@myspinbot/runtime';
import { createPlaneExecutor, type PlaneDeps } from '@myspinbot/services';
import { createLogger, createMetrics, type Metrics, type PinoLogger } from '@myspinbot/telemetry';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { buildApi } from './app.js';
import { BusResetRecovery } from './reset-recovery.js';

export interface ControlProcess {
  config: AppConfig;
  logger: PinoLogger;
  metrics: Metrics;
  bus: Bus;
  hub: JobEventHub;
  control: PlaneExecutor<PlaneDeps>;
  data: PlaneExecutor<PlaneDeps> | null;
  app: FastifyInstance;
  /** Where the server listens, once started. */
  url: string;
  stop(): Promise<void>;
}

export async function startControlProcess(
  config: AppConfig,
  options: { withDataPlane: boolean; role: string },
): Promise<ControlProcess> {
  const logger = createLogger({ level: config.log.level, name: options.role });
  const metrics = createMetrics(new Registry());
  const bus = createBus(config.bus);
  bus.on('error', (error) => logger.warn({ err: error }, 'bus connection error'));
  await bus.init();
  const hub = new JobEventHub(bus);
  await hub.start();

  const control = createPlaneExecutor({
    plane: 'node',
    config,
    bus,
    logger,
    hooks: metrics.executorHooks('node'),
  });
  const data = options.withDataPlane
    ? createPlaneExecutor({ plane: 'python', config, bus, logger, hooks: metrics.executorHooks('python') })
    : null;
  metrics.watchStreams(bus, ['node', 'python']);
  metrics.watchExecutor('node', () => control.busy);
  if (data) metrics.watchExecutor('python', () => data.busy);
  await control.start();
  await data?.start();
  const recovery = new BusResetRecovery(bus, hub, logger, config.bus.timings.resetCheckIntervalMs);
  recovery.start();

  const app = await buildApi({
    bus,
    hub,
    metrics,
    controlManifest: () => control.manifest(),
    capabilitiesTimeoutMs: config.capabilities.timeoutMs,
    logger,
    role: options.role,
    checks: {
      bus: () => bus.ping(),
      controlExecutor: async () => control.state === 'running',
      ...(data ? { dataExecutor: async () => data.state === 'running' } : {}),
    },
  });
  const address = await app.listen({ host: config.server.host, port: config.server.port });
  logger.info({ address, bus: bus.kind, dataPlane: data !== null }, `${options.role} listening`);

  return {
    config,
    logger,
    metrics,
    bus,
    hub,
    control,
    data,
    app,
    url: address,
    async stop() {
      logger.info('stopping');
      await app.close();
      recovery.stop();
      await Promise.all([
        control.stop(config.executor.drainTimeoutMs),
        data?.stop(config.executor.drainTimeoutMs),
      ]);
      await hub.stop();
      await bus.close();
      logger.info('stopped');
    },
  };
}
