/** Structured JSON logs (pino). Executors add jobId/nodeId bindings through child loggers. */
import { type Logger as PinoLogger, pino } from 'pino';

export function createLogger(options: { level: string; name: string }): PinoLogger {
  return pino({
    name: options.name,
    level: options.level,
    base: { pid: process.pid, role: options.name },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: pino.stdSerializers.err },
  });
}

export type { PinoLogger };
