/** `npm run start:worker`: one data-plane worker on the Redis bus. Run as many as you like. */
import { loadConfig } from '@myspinbot/config';
import { runProcess } from '@myspinbot/http';
import { startWorkerProcess } from '@myspinbot/server';

await runProcess('worker', async () => startWorkerProcess(loadConfig({ role: 'worker' })));
