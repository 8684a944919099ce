/**
 * Child process: a data-plane executor (diagnostic services) on the Redis bus under a given prefix, so the
 * control executor in the parent has a partner with its own event loop, as in a real deployment.
 *   argv: <prefix> <concurrency>
 *   parent -> {type:'open'} | {type:'close'};  child -> {type:'ready'} | {type:'counted', handoffs, cpuMs}
 */
import { busConfig, RedisBus } from '@myspinbot/bus';
import { onParent, toParent } from '../child.js';
import { HandoffCounter } from './counter.js';
import { diagExecutor } from './executors.js';
import { REDIS_URL } from './redis.js';

const prefix = process.argv[2] ?? '';
const concurrency = Number(process.argv[3] ?? '1');
if (!prefix.startsWith('bench:')) throw new Error('worker: a bench: prefix is required');

const bus = new RedisBus({ url: REDIS_URL, config: busConfig({ prefix, blockMs: 1000 }) });
const counter = new HandoffCounter();
const executor = diagExecutor(bus, 'python', prefix, concurrency, counter.hooks);

async function shutdown(): Promise<void> {
  await executor.stop(1000);
  await bus.close();
  process.exit(0);
}

onParent((message) => {
  if (message.type === 'open') counter.start();
  if (message.type === 'close') {
    counter.stop();
    toParent({ type: 'counted', handoffs: counter.handoffs, cpuMs: counter.cpuMs });
  }
});
process.once('SIGTERM', () => void shutdown());
process.once('disconnect', () => void shutdown());

await bus.init();
await executor.start();
toParent({ type: 'ready' });
