/**
 * The baseline of a handoff: a raw Redis Streams round trip. A consumer is blocked in XREADGROUP (as an
 * executor waits for work); the clock starts at XADD and stops when the consumer's XACK is answered. The
 * entry carries the same fields as a bus handoff (jobId, graph JSON, from).
 */
import type { Redis } from 'ioredis';
import { boundedLoop, type LoopBounds } from '../stats.js';
import { connectRedis } from './redis.js';

type ReadReply = [string, [string, string[]][]][] | null;

export async function rawRoundTrips(
  prefix: string,
  fields: Record<string, string>,
  bounds: LoopBounds,
  warmup: number,
): Promise<number[]> {
  const producer: Redis = connectRedis();
  const consumer: Redis = connectRedis();
  const stream = `${prefix}:raw`;
  const flat = Object.entries(fields).flat();
  const samples: number[] = [];
  try {
    await producer.xgroup('CREATE', stream, 'g', '$', 'MKSTREAM');
    const once = async (record: boolean): Promise<void> => {
      const read = consumer.xreadgroup('GROUP', 'g', 'c', 'COUNT', 1, 'BLOCK', 5000, 'STREAMS', stream, '>');
      read.catch(() => undefined);
      // One round trip on the producer connection: the blocking read is at Redis before the clock starts.
      await producer.ping();
      const start = performance.now();
      await producer.xadd(stream, '*', ...flat);
      const reply = (await read) as ReadReply;
      const id = reply?.[0]?.[1][0]?.[0];
      if (id === undefined) throw new Error('raw round trip: XREADGROUP returned nothing');
      await consumer.xack(stream, 'g', id);
      if (record) samples.push(performance.now() - start);
    };
    for (let i = 0; i < warmup; i++) await once(false);
    await boundedLoop(bounds, () => once(true));
    return samples;
  } finally {
    producer.disconnect();
    consumer.disconnect();
  }
}
