/**
 * Webhooks are sent once per job among every API replica on one bus: each replica's WebhookSender hears the
 * terminal state, and the shared claim (Bus.claimOnce on Redis) lets exactly one of them POST it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { busConfig, RedisBus } from '@myspinbot/bus';
import type { JobHistoryEntry } from '@myspinbot/history';
import { createLogger } from '@myspinbot/telemetry';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REDIS_URL, randomPrefix } from '../../../test/support/ids.js';
import { WebhookSender } from '../src/control/jobs/webhooks.js';

function entryFor(jobId: string, callbackUrl: string): JobHistoryEntry {
  const at = new Date().toISOString();
  return {
    jobId,
    pipeline: 'quick',
    status: 'completed',
    progress: 1,
    createdAt: at,
    updatedAt: at,
    finishedAt: at,
    input: { prompt: 'hi', callbackUrl },
    state: {} as JobHistoryEntry['state'],
    error: null,
    artifacts: [],
  };
}

describe('webhooks across API replicas', () => {
  let prefix: string;
  let buses: RedisBus[];
  let server: Server;
  let calls: string[];
  let url: string;

  beforeEach(async () => {
    prefix = randomPrefix('hook');
    buses = [1, 2, 3].map(() => new RedisBus({ url: REDIS_URL, config: busConfig({ prefix }) }));
    calls = [];
    server = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
      });
      request.on('end', () => {
        calls.push((JSON.parse(text) as { jobId: string }).jobId);
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/done`;
  });

  afterEach(async () => {
    server.close();
    await Promise.all(buses.map((bus) => bus.close()));
    const admin = new Redis(REDIS_URL);
    const keys = await admin.keys(`${prefix}:*`);
    if (keys.length > 0) await admin.del(...keys);
    admin.disconnect();
  });

  it('posts each job once although every replica hears its end', async () => {
    const logger = createLogger({ level: 'silent', name: 'test' });
    const senders = buses.map(
      (bus) =>
        new WebhookSender(['127.0.0.1'], '', logger, {
          claim: (jobId) => bus.claimOnce(`webhook:${jobId}`, 60),
        }),
    );
    const jobs = ['job-a', 'job-b', 'job-c', 'job-d', 'job-e'];
    for (const jobId of jobs) for (const sender of senders) sender.notify(entryFor(jobId, url));
    for (let i = 0; i < 100 && calls.length < jobs.length; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    expect([...calls].sort()).toEqual(jobs);
  });

  it('without a shared claim, each replica sends its own (what the claim prevents)', async () => {
    const logger = createLogger({ level: 'silent', name: 'test' });
    const senders = buses.map(() => new WebhookSender(['127.0.0.1'], '', logger));
    for (const sender of senders) sender.notify(entryFor('job-x', url));
    for (let i = 0; i < 100 && calls.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    expect(calls).toEqual(['job-x', 'job-x', 'job-x']);
  });
});
