import { randomBytes } from 'node:crypto';

/** A random key prefix so tests sharing the machine's Redis never see each other's keys. */
export function randomPrefix(label = 't'): string {
  return `test:${label}:${randomBytes(6).toString('hex')}`;
}

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
