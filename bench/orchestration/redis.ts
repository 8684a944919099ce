/**
 * The one Redis the orchestration suite measures against: loopback only, a random key prefix per run, and
 * every key under it deleted afterwards.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const REDIS_URL = 'redis://127.0.0.1:6379';

export function benchPrefix(label: string): string {
  return `bench:${label}:${randomBytes(5).toString('hex')}`;
}

export function connectRedis(): Redis {
  return new Redis(REDIS_URL, { maxRetriesPerRequest: 1, connectionName: 'myspinbot:bench' });
}

/** Deletes every key starting with `${prefix}:` (SCAN + UNLINK); answers how many. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let removed = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) removed += await redis.unlink(...keys);
  } while (cursor !== '0');
  return removed;
}

/** Runs `body` with a fresh prefix and removes the prefix's keys whatever happens. */
export async function withPrefix<T>(label: string, body: (prefix: string) => Promise<T>): Promise<T> {
  const prefix = benchPrefix(label);
  try {
    return await body(prefix);
  } finally {
    const redis = connectRedis();
    try {
      await deleteKeys(redis, prefix);
    } finally {
      redis.disconnect();
    }
  }
}
