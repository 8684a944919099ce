import { Redis } from 'ioredis';
import { REDIS_URL, randomPrefix } from '../../../test/support/ids.js';
import { busConfig } from '../src/defaults.js';
import { RedisBus } from '../src/redis/redis-bus.js';
import { CONFORMANCE_TIMINGS, runBusConformance } from './conformance.js';

runBusConformance('RedisBus', async () => {
  const prefix = randomPrefix('bus');
  const bus = new RedisBus({ url: REDIS_URL, config: busConfig({ ...CONFORMANCE_TIMINGS, prefix }) });
  return {
    bus,
    async dispose() {
      await bus.close();
      const admin = new Redis(REDIS_URL);
      const keys = await admin.keys(`${prefix}:*`);
      if (keys.length > 0) await admin.del(...keys);
      admin.disconnect();
    },
  };
});
