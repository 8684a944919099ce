/**
 * Child process: a data-plane PlaneExecutor on the suite's private Redis, with the diagnostic services and
 * two bench-only ones, so the parent can kill it at any moment and see what it was doing:
 * - bench.work: like diag.sleep (params.ms, params.steps, progress each step), and tells the parent when a
 *   node starts ({type:'started', jobId, attempts, at}) and ends ({type:'ended', jobId, ok, at});
 * - bench.crash: a poison node: tells the parent ({type:'crash', jobId, attempts, at}), then SIGKILLs its
 *   own process, on every delivery.
 * The executor's reset and reclaim hooks are forwarded too ({type:'reset'|'reclaim', at}). `at` is
 * Date.now(), comparable across the processes of one machine.
 *   argv: <redis url> <prefix> <concurrency> <bus config overrides as JSON>
 *   child -> {type:'ready', pid} once the executor reads its stream.
 */
import { busConfig, RedisBus } from '@myspinbot/bus';
import type { BusConfig } from '@myspinbot/contracts';
import {
  diagnosticServices,
  type Logger,
  PlaneExecutor,
  type ServiceDefinition,
  ServiceRegistry,
  sleep,
} from '@myspinbot/runtime';
import { toParent } from '../child.js';

const url = process.argv[2] ?? '';
const prefix = process.argv[3] ?? '';
const concurrency = Number(process.argv[4] ?? '1');
const overrides = JSON.parse(process.argv[5] ?? '{}') as Partial<BusConfig>;
if (!prefix.startsWith('bench:')) throw new Error('worker: a bench: prefix is required');
if (!url.startsWith('redis://127.0.0.1:')) throw new Error('worker: a loopback Redis URL is required');

/** Resolves once the parent has the message (a process about to die must not lose it). */
function sendNow(message: { type: string } & Record<string, unknown>): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}

const work: ServiceDefinition = {
  name: 'bench.work',
  plane: 'python',
  description: 'diag.sleep that tells the bench when it starts and ends',
  async run(_input, ctx) {
    const ms = typeof ctx.params.ms === 'number' ? ctx.params.ms : 500;
    const steps = typeof ctx.params.steps === 'number' ? Math.max(1, ctx.params.steps) : 5;
    toParent({ type: 'started', jobId: ctx.jobId, attempts: ctx.node.attempts ?? 1, at: Date.now() });
    try {
      for (let i = 1; i <= steps; i++) {
        await sleep(ms / steps, ctx.signal);
        if (ctx.signal.aborted) throw ctx.signal.reason;
        ctx.progress(i / steps, `step ${i} of ${steps}`);
      }
      toParent({ type: 'ended', jobId: ctx.jobId, ok: true, at: Date.now() });
      return { sleptMs: ms };
    } catch (error) {
      toParent({ type: 'ended', jobId: ctx.jobId, ok: false, at: Date.now() });
      throw error;
    }
  },
};

const crash: ServiceDefinition = {
  name: 'bench.crash',
  plane: 'python',
  description: 'Kills its own process (SIGKILL) on every delivery: a poison entry',
  async run(_input, ctx) {
    await sendNow({ type: 'crash', jobId: ctx.jobId, attempts: ctx.node.attempts ?? 1, at: Date.now() });
    process.kill(process.pid, 'SIGKILL');
    await sleep(60_000, ctx.signal);
    return {};
  },
};

// Reconnection backoff as in the product (capped at 2 s): the reset fault measures it.
/** Warnings and errors go to the parent ({type:'log', level, msg, jobId}): what the executor saw. */
function forwardingLogger(bindings: Record<string, unknown>): Logger {
  const forward =
    (level: string) =>
    (fieldsOrMessage: Record<string, unknown> | string, message?: string): void => {
      const fields = typeof fieldsOrMessage === 'string' ? {} : fieldsOrMessage;
      const msg = typeof fieldsOrMessage === 'string' ? fieldsOrMessage : (message ?? '');
      const jobId = fields.jobId ?? bindings.jobId;
      toParent({ type: 'log', level, msg, jobId: typeof jobId === 'string' ? jobId : '', at: Date.now() });
    };
  return {
    debug: () => {},
    info: () => {},
    warn: forward('warn'),
    error: forward('error'),
    child: (more) => forwardingLogger({ ...bindings, ...more }),
  };
}

const bus = new RedisBus({ url, config: busConfig({ prefix, ...overrides }) });
const registry = new ServiceRegistry('python').register(...diagnosticServices('python'), work, crash);
const executor = new PlaneExecutor({
  bus,
  registry,
  deps: {},
  config: busConfig({ prefix, ...overrides }),
  concurrency,
  logger: forwardingLogger({}),
  hooks: {
    onReset: (event) => toParent({ type: 'reset', orphaned: event.orphaned, at: Date.now() }),
    onReclaim: (event) => toParent({ type: 'reclaim', count: event.count, at: Date.now() }),
  },
});

async function shutdown(): Promise<void> {
  await executor.stop(500);
  await bus.close();
  process.exit(0);
}

process.once('SIGTERM', () => void shutdown());
process.once('disconnect', () => void shutdown());

await bus.init();
await executor.start();
toParent({ type: 'ready', pid: process.pid });
