/**
 * Composition of the control-plane process (and of the embedded process, which adds the data plane):
 * config -> logger, metrics, bus, artifact store, history -> executors -> HTTP server. Nothing else in
 * the app builds these.
 */
import { type Bus, createBus, JobEventHub } from '@myspinbot/bus';
import type { AppConfig } from '@myspinbot/contracts';
import { createJobHistory, type JobHistory } from '@myspinbot/history';
import type { PlaneExecutor } from '@myspinbot/runtime';
import { createPlaneExecutor, loadEngines, type PlaneDeps, storeFromConfig } from '@myspinbot/services';
import type { ArtifactStore } from '@myspinbot/storage';
import { createLogger, createMetrics, type Metrics, type PinoLogger } from '@myspinbot/telemetry';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { buildApi } from './app.js';
import { ArtifactTokens } from './artifact-tokens.js';
import { HistoryRecorder } from './jobs/history-recorder.js';
import { JobService } from './jobs/job-service.js';
import { WebhookSender } from './jobs/webhooks.js';
import { ManifestSource } from './manifests.js';
import { PipelineCatalogStore } from './planning/catalog.js';
import { BusResetRecovery } from './reset-recovery.js';
import { JobFeed } from './ws/job-feed.js';

export interface ControlProcess {
  config: AppConfig;
  logger: PinoLogger;
  metrics: Metrics;
  bus: Bus;
  hub: JobEventHub;
  store: ArtifactStore;
  history: JobHistory;
  jobs: JobService;
  control: PlaneExecutor<PlaneDeps>;
  data: PlaneExecutor<PlaneDeps> | null;
  app: FastifyInstance;
  /** Where the server listens, once started. */
  url: string;
  stop(): Promise<void>;
}

export async function startControlProcess(
  config: AppConfig,
  options: { withDataPlane: boolean; role: string; catalogFile?: string },
): Promise<ControlProcess> {
  const logger = createLogger({ level: config.log.level, name: options.role });
  const metrics = createMetrics(new Registry());
  const catalog = PipelineCatalogStore.load(options.catalogFile);
  const store = storeFromConfig(config);
  await store.init();
  const history = createJobHistory(config.history.url);
  await history.init();
  const bus = createBus(config.bus);
  bus.on('error', (error) => logger.warn({ err: error }, 'bus connection error'));
  await bus.init();
  const hub = new JobEventHub(bus);
  await hub.start();

  const engines = await loadEngines(config.engines);
  const control = createPlaneExecutor({
    engines,
    plane: 'node',
    config,
    bus,
    store,
    logger,
    hooks: metrics.executorHooks('node'),
  });
  const data = options.withDataPlane
    ? createPlaneExecutor({
        engines,
        plane: 'python',
        config,
        bus,
        store,
        logger,
        hooks: metrics.executorHooks('python'),
      })
    : null;
  metrics.watchStreams(bus, ['node', 'python']);
  metrics.watchExecutor('node', () => control.busy);
  if (data) metrics.watchExecutor('python', () => data.busy);
  await control.start();
  await data?.start();
  const recovery = new BusResetRecovery(bus, hub, logger, config.bus.timings.resetCheckIntervalMs);
  recovery.start();

  const manifests = new ManifestSource({
    bus,
    hub,
    controlManifest: () => control.manifest(),
    timeoutMs: config.capabilities.timeoutMs,
  });
  const jobs = new JobService({
    bus,
    store,
    history,
    catalog,
    manifests,
    logger,
    metrics,
    publicUrl: config.api.publicUrl,
  });
  // One webhook per job among every API replica on this bus, for as long as the job's record lives.
  const webhooks = new WebhookSender(config.api.callbackHosts, config.api.publicUrl, logger, {
    claim: (jobId) => bus.claimOnce(`webhook:${jobId}`, config.bus.timings.jobTtlSeconds),
  });
  const recorder = new HistoryRecorder(bus, hub, history, webhooks, logger);
  recorder.start();
  const feed = new JobFeed(bus, hub);

  const app = await buildApi({
    bus,
    store,
    jobs,
    feed,
    manifests,
    catalog,
    metrics,
    logger,
    role: options.role,
    webDir: config.web.dir,
    trustProxy: config.api.trustProxy ?? false,
    limits: {
      maxImageBytes: config.api.maxImageBytes,
      maxVoiceBytes: config.api.maxVoiceBytes,
      maxPromptChars: config.api.maxPromptChars,
      maxVoiceTextChars: config.api.maxVoiceTextChars,
      callbackHosts: config.api.callbackHosts,
    },
    security: {
      apiKeys: config.api.apiKeys,
      corsOrigins: config.api.corsOrigins,
      rateLimitPerMinute: config.api.rateLimitPerMinute,
      artifactTokens: new ArtifactTokens({
        ttlSeconds: config.api.artifactTokenTtlSeconds,
        ...(config.api.artifactTokenSecret ? { secret: config.api.artifactTokenSecret } : {}),
      }),
    },
    checks: {
      bus: () => bus.ping(),
      storage: () => store.ping(),
      history: () => history.ping(),
      controlExecutor: async () => control.state === 'running',
      ...(data ? { dataExecutor: async () => data.state === 'running' } : {}),
    },
  });
  const address = await app.listen({ host: config.server.host, port: config.server.port });
  logger.info(
    { address, bus: bus.kind, storage: store.kind, history: history.kind, dataPlane: data !== null },
    `${options.role} listening`,
  );
  if (config.api.apiKeys.length > 0 && !config.api.artifactTokenSecret) {
    logger.warn(
      'ARTIFACT_TOKEN_SECRET is not set: artifact tokens are signed with a random key of this process and other API replicas refuse them; set the same secret on every replica',
    );
  }

  return {
    config,
    logger,
    metrics,
    bus,
    hub,
    store,
    history,
    jobs,
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
      await recorder.stop();
      await hub.stop();
      await bus.close();
      await history.close();
      await store.close();
      logger.info('stopped');
    },
  };
}
