/** `npm run start:api`: the control plane (HTTP API + control executor) on the Redis bus. */
import { loadConfig } from '@myspinbot/config';
import { runProcess } from '@myspinbot/http';
import { startControlProcess } from '@myspinbot/server';

await runProcess('api', async () =>
  startControlProcess(loadConfig({ role: 'api' }), { withDataPlane: false, role: 'api' }),
);
