import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';

export interface ServerOptions {
  /** Structured logger for the server; none means no logs. */
  logger?: FastifyBaseLogger;
  bodyLimit?: number;
  /** Take the client address from X-Forwarded-For (behind a reverse proxy). */
  trustProxy?: boolean;
}

/**
 * A Fastify instance configured the MySpinBot way: our logger, no per-request log lines (the HTTP metrics
 * histogram covers requests; errors are still logged by the error handler).
 */
export function createServer(options: ServerOptions = {}): FastifyInstance {
  return Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    trustProxy: options.trustProxy ?? false,
  });
}
