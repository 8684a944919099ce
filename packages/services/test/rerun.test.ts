/**
 * Node outputs are idempotent: a service run again for the same job and node writes the same artifact
 * keys, replacing what the earlier run stored (nothing accumulates, nothing stale is left).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@myspinbot/config';
import type { GraphNode } from '@myspinbot/contracts';
import { type ServiceContext, silentLogger } from '@myspinbot/runtime';
import { LocalArtifactStore } from '@myspinbot/storage';
import { afterAll, describe, expect, it } from 'vitest';
import type { PlaneDeps } from '../src/deps.js';
import { createEngines } from '../src/engines.js';
import { createDataRegistry } from '../src/registries.js';

describe('re-running a node', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rerun-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('overwrites its own artifacts under the same keys', async () => {
    const store = new LocalArtifactStore({ root: dir });
    await store.init();
    const engines = createEngines(loadConfig({ role: 'embedded', env: {} }).engines);
    const registry = createDataRegistry({ diagnostics: false, engines });
    const service = registry.get('synthesize_speech');
    if (!service) throw new Error('synthesize_speech is not registered');
    const node: GraphNode = {
      id: 'speech',
      name: 'speech',
      service: 'synthesize_speech',
      plane: 'python',
      status: 'running',
      attempts: 1,
    };
    const ctx = (attempt: number): ServiceContext<PlaneDeps> => ({
      jobId: 'rerun-job',
      nodeId: 'speech',
      node: { ...node, attempts: attempt },
      params: {},
      context: { options: {} },
      signal: new AbortController().signal,
      log: silentLogger,
      deps: { manifest: () => registry.manifest(), store },
      progress: () => {},
      publish: () => {},
    });
    const first = await service.run(
      { script: { narration: 'The first take is short.' }, voice: null },
      ctx(1),
    );
    const keys = (await store.list('jobs/rerun-job/speech/')).map((o) => o.key);
    const second = await service.run(
      { script: { narration: 'The second take is a little longer than the first one was.' }, voice: null },
      ctx(2),
    );
    const after = await store.list('jobs/rerun-job/speech/');
    expect(after.map((o) => o.key)).toEqual(keys);
    expect(keys).toEqual(['jobs/rerun-job/speech/speech.wav', 'jobs/rerun-job/speech/timings.json']);
    expect(Number(second.durationMs)).toBeGreaterThan(Number(first.durationMs));
    const timings = JSON.parse(
      (await store.getBuffer('jobs/rerun-job/speech/timings.json'))?.toString('utf8') ?? '{}',
    );
    expect(timings.words.map((w: { text: string }) => w.text).join(' ')).toBe(
      'The second take is a little longer than the first one was',
    );
  });
});
