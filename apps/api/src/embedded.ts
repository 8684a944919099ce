/**
 * `npm start`: the embedded all-in-one process: API, control executor and data executor in one process, on
 * the in-process bus by default (REDIS_URL switches it to Redis).
 */
import { loadConfig } from '@myspinbot/config';
import { runProcess } from '@myspinbot/http';
import { startControlProcess } from '@myspinbot/server';

await runProcess('myspinbot', async () =>
  startControlProcess(loadConfig({ role: 'embedded' }), { withDataPlane: true, role: 'embedded' }),
);
