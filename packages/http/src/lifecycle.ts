/**
 * Process lifecycle for every entry point: start, then stop gracefully on SIGTERM/SIGINT (a second signal
 * exits at once). A configuration error prints its message and exits 78 (EX_CONFIG); any other start-up
 * failure exits 1.
 */
import { MySpinBotError } from '@myspinbot/contracts';

export interface Running {
  stop(): Promise<void>;
}

export async function runProcess(name: string, start: () => Promise<Running>): Promise<void> {
  let running: Running;
  try {
    running = await start();
  } catch (error) {
    if (error instanceof MySpinBotError && error.code === 'CONFIG_INVALID') {
      process.stderr.write(`${name}: ${error.message}\n`);
      process.exit(78);
    }
    process.stderr.write(
      `${name}: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  }
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`${name}: ${signal} again, exiting now\n`);
      process.exit(130);
    }
    stopping = true;
    running
      .stop()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        process.stderr.write(`${name}: error while stopping: ${String(error)}\n`);
        process.exit(1);
      });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
