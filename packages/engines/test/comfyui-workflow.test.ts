import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MySpinBotError } from '@myspinbot/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadName } from '../src/comfyui/job.js';
import { loadComfyWorkflow } from '../src/comfyui/load.js';
import { ComfyProgressTracker, progressRange } from '../src/comfyui/progress.js';
import {
  checkInjectionSpec,
  comfySeed,
  injectWorkflow,
  parseComfyWorkflow,
  parseInjectionSpec,
  uploadedInputValue,
} from '../src/comfyui/workflow.js';
import {
  isMonotonic,
  talkingSpec,
  talkingWorkflow,
  upscaleSpec,
  upscaleWorkflow,
} from './comfyui-fixtures.js';

function configError(run: () => unknown): MySpinBotError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MySpinBotError);
    const typed = error as MySpinBotError;
    expect(typed.code).toBe('CONFIG_INVALID');
    return typed;
  }
  throw new Error('expected CONFIG_INVALID, nothing was thrown');
}

async function configErrorAsync(run: () => Promise<unknown>): Promise<MySpinBotError> {
  const error = await run().then(
    () => new Error('expected CONFIG_INVALID, nothing was thrown'),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(MySpinBotError);
  const typed = error as MySpinBotError;
  expect(typed.code).toBe('CONFIG_INVALID');
  return typed;
}

describe('injectWorkflow', () => {
  it('writes each value into its target and leaves the rest of the workflow as it was', () => {
    const workflow = talkingWorkflow();
    const injected = injectWorkflow(workflow, talkingSpec(), {
      image: 'portrait-abc.png',
      audio: 'narration-def.wav',
      text: 'Hello there',
      seed: 1234,
    });
    expect(injected['1']?.inputs.image).toBe('portrait-abc.png');
    expect(injected['2']?.inputs.audio).toBe('narration-def.wav');
    expect(injected['5']?.inputs.positive_prompt).toBe('Hello there');
    expect(injected['7']?.inputs.seed).toBe(1234);
    const expected = talkingWorkflow();
    for (const [id, node] of Object.entries(expected)) {
      if (['1', '2', '5', '7'].includes(id)) continue;
      expect(injected[id]).toEqual(node);
    }
    expect(injected['7']?.inputs.model).toEqual(['3', 0]);
    expect(injected['5']?.inputs.negative_prompt).toBe('blurry, distorted face');
  });

  it('is pure: the input workflow is untouched and the result shares no objects with it', () => {
    const workflow = talkingWorkflow();
    const injected = injectWorkflow(workflow, talkingSpec(), { image: 'x.png', seed: 7 });
    expect(workflow).toEqual(talkingWorkflow());
    expect(injected['1']).not.toBe(workflow['1']);
    const link = injected['7']?.inputs.model;
    expect(Array.isArray(link)).toBe(true);
    if (Array.isArray(link)) link[0] = 'changed';
    expect(workflow['7']?.inputs.model).toEqual(['3', 0]);
    expect(injected['1']?._meta?.title).toBe('Portrait');
  });

  it('injects nothing for a value without a target, and keeps the old value for a target without a value', () => {
    const injected = injectWorkflow(upscaleWorkflow(), upscaleSpec(), { text: 'unused', seed: 5 });
    expect(injected).toEqual(upscaleWorkflow());
  });

  it('names the spec key and the node when the node does not exist', () => {
    const spec = { ...talkingSpec(), audio: { node: '99', input: 'audio' } };
    const error = configError(() => injectWorkflow(talkingWorkflow(), spec, { audio: 'a.wav' }));
    expect(error.message).toContain('inject.audio');
    expect(error.message).toContain('"99"');
    expect(error.message).toContain('nodes: 1, 2, 3');
    expect(error.details).toMatchObject({ key: 'audio', node: '99' });
  });

  it('names the input and lists the inputs the node has when the input does not exist', () => {
    const spec = { ...talkingSpec(), text: { node: '5', input: 'prompt' } };
    const error = configError(() => injectWorkflow(talkingWorkflow(), spec, {}));
    expect(error.message).toContain('inject.text');
    expect(error.message).toContain('"prompt"');
    expect(error.message).toContain('WanVideoTextEncode');
    expect(error.message).toContain('positive_prompt, negative_prompt');
  });

  it('refuses to write a literal over a linked input', () => {
    const spec = { ...talkingSpec(), image: { node: '6', input: 'start_image' } };
    const error = configError(() => injectWorkflow(talkingWorkflow(), spec, { image: 'p.png' }));
    expect(error.message).toContain('linked to node "1"');
  });

  it('checks the output node exists', () => {
    const spec = { ...talkingSpec(), output: { node: '42', kind: 'gifs' as const } };
    const error = configError(() => checkInjectionSpec(talkingWorkflow(), spec));
    expect(error.message).toContain('inject.output');
    expect(error.message).toContain('"42"');
  });
});

describe('parseComfyWorkflow and parseInjectionSpec', () => {
  it('accepts an API-format workflow', () => {
    expect(parseComfyWorkflow(upscaleWorkflow(), 'test')).toEqual(upscaleWorkflow());
  });

  it('explains that a UI-format workflow must be exported with "Export (API)"', () => {
    const error = configError(() => parseComfyWorkflow({ nodes: [], links: [], version: 0.4 }, 'wf.json'));
    expect(error.message).toContain('wf.json');
    expect(error.message).toContain('Export (API)');
  });

  it('rejects nodes without class_type or inputs, empty workflows and non-objects', () => {
    expect(configError(() => parseComfyWorkflow({ '3': { inputs: {} } }, 'wf')).message).toContain(
      'node "3" has no class_type',
    );
    expect(
      configError(() => parseComfyWorkflow({ '3': { class_type: 'KSampler' } }, 'wf')).message,
    ).toContain('node "3" (KSampler) has no inputs object');
    expect(configError(() => parseComfyWorkflow({}, 'wf')).message).toContain('no nodes');
    expect(configError(() => parseComfyWorkflow([1, 2], 'wf')).message).toContain('got an array');
  });

  it('accepts a spec and rejects unknown keys, bad kinds and malformed targets', () => {
    expect(parseInjectionSpec(talkingSpec(), 'spec')).toEqual(talkingSpec());
    expect(
      configError(() => parseInjectionSpec({ ...upscaleSpec(), mask: { node: '1', input: 'x' } }, 's'))
        .message,
    ).toContain('unknown injection key(s) mask');
    expect(
      configError(() => parseInjectionSpec({ output: { node: '4', kind: 'video' } }, 's')).message,
    ).toContain('videos, gifs, images, audio');
    expect(
      configError(() =>
        parseInjectionSpec({ image: { node: '1' }, output: { node: '4', kind: 'images' } }, 's'),
      ).message,
    ).toContain('inject.image.input');
    expect(
      configError(() => parseInjectionSpec({ image: { node: '1', input: 'image' } }, 's')).message,
    ).toContain('inject.output');
  });
});

describe('comfySeed and upload names', () => {
  it('uses decimal seeds as they are and hashes anything else into a safe integer', () => {
    expect(comfySeed('1234')).toBe(1234);
    expect(comfySeed(' 0 ')).toBe(0);
    const hashed = comfySeed('job-7f3a/node-render');
    expect(Number.isSafeInteger(hashed)).toBe(true);
    expect(hashed).toBeGreaterThanOrEqual(0);
    expect(comfySeed('job-7f3a/node-render')).toBe(hashed);
    expect(comfySeed('job-7f3a/node-other')).not.toBe(hashed);
    const huge = comfySeed('99999999999999999999');
    expect(Number.isSafeInteger(huge)).toBe(true);
  });

  it('names uploads by stem and content hash, keeping the extension', () => {
    const bytes = Buffer.from('portrait bytes');
    const name = uploadName('My Photo (1).JPG', bytes, 'png');
    expect(name).toMatch(/^My_Photo_1_-[0-9a-f]{12}\.jpg$/);
    expect(uploadName('other/My Photo (1).JPG', bytes, 'png')).toBe(name);
    expect(uploadName('My Photo (1).JPG', Buffer.from('other bytes'), 'png')).not.toBe(name);
    expect(uploadName('noext', bytes, 'png')).toMatch(/^noext-[0-9a-f]{12}\.png$/);
  });

  it('refers to an uploaded file as ComfyUI loaders expect', () => {
    expect(uploadedInputValue({ filename: 'a.png', subfolder: '', type: 'input' })).toBe('a.png');
    expect(uploadedInputValue({ filename: 'a.png', subfolder: 'myspinbot', type: 'input' })).toBe(
      'myspinbot/a.png',
    );
  });
});

describe('ComfyProgressTracker', () => {
  it('weighs nodes equally, adds the running node partially, never goes down and ends at 1', () => {
    const tracker = new ComfyProgressTracker(['1', '2', '3', '4']);
    const seen: number[] = [tracker.fraction()];
    tracker.cached(['1']);
    seen.push(tracker.fraction());
    tracker.executing('2');
    tracker.progress('2', 5, 10);
    seen.push(tracker.fraction());
    expect(seen.at(-1)).toBeCloseTo(1.5 / 4);
    tracker.progress('2', 2, 10);
    seen.push(tracker.fraction());
    tracker.executing('3');
    seen.push(tracker.fraction());
    expect(seen.at(-1)).toBeCloseTo(2 / 4);
    tracker.progress('4', 1, 4);
    seen.push(tracker.fraction());
    expect(seen.at(-1)).toBeLessThan(1);
    tracker.executing(null);
    seen.push(tracker.fraction());
    expect(seen.at(-1)).toBe(1);
    expect(isMonotonic(seen)).toBe(true);
  });

  it('stays below 1 when the node count is unknown', () => {
    const tracker = new ComfyProgressTracker();
    tracker.executing('a');
    tracker.progress('a', 10, 10);
    tracker.executing('b');
    expect(tracker.fraction()).toBeGreaterThan(0);
    expect(tracker.fraction()).toBeLessThan(1);
  });

  it('maps phases into ranges without ever reporting less than before', () => {
    const reported: number[] = [];
    const phase = progressRange((fraction) => reported.push(fraction));
    phase(0, 0.5)(1);
    phase(0.25, 1)(0);
    phase(0.25, 1)(1);
    expect(reported).toEqual([0.5, 0.5, 1]);
  });
});

describe('loadComfyWorkflow', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'myspinbot-comfy-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function file(name: string, content: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, content);
    return path;
  }

  it('reads the workflow and the injection spec', async () => {
    const path = await file(
      'ok.json',
      JSON.stringify({ workflow: talkingWorkflow(), inject: talkingSpec() }),
    );
    expect(await loadComfyWorkflow(path)).toEqual({ workflow: talkingWorkflow(), spec: talkingSpec() });
  });

  it('names the path and the problem for unreadable, non-JSON and incomplete files', async () => {
    const missing = join(dir, 'missing.json');
    const unreadable = await configErrorAsync(() => loadComfyWorkflow(missing));
    expect(unreadable.message).toContain(missing);
    expect(unreadable.message).toContain('ENOENT');
    expect(unreadable.details).toMatchObject({ path: missing });

    const badJson = await file('bad.json', '{"workflow": ');
    expect((await configErrorAsync(() => loadComfyWorkflow(badJson))).message).toContain('is not valid JSON');

    const noInject = await file('noinject.json', JSON.stringify({ workflow: upscaleWorkflow() }));
    expect((await configErrorAsync(() => loadComfyWorkflow(noInject))).message).toContain('has no "inject"');

    const noWorkflow = await file('noworkflow.json', JSON.stringify({ inject: upscaleSpec() }));
    expect((await configErrorAsync(() => loadComfyWorkflow(noWorkflow))).message).toContain(
      'has no "workflow"',
    );
  });

  it('checks the spec against the workflow and reports it with the path', async () => {
    const spec = { ...upscaleSpec(), image: { node: '1', input: 'picture' } };
    const path = await file('mismatch.json', JSON.stringify({ workflow: upscaleWorkflow(), inject: spec }));
    const error = await configErrorAsync(() => loadComfyWorkflow(path));
    expect(error.message).toContain(path);
    expect(error.message).toContain('inject.image names input "picture"');
    expect(error.details).toMatchObject({ path });
  });

  it('rejects a UI-format export inside the file', async () => {
    const path = await file(
      'ui.json',
      JSON.stringify({ workflow: { nodes: [], links: [] }, inject: upscaleSpec() }),
    );
    const error = await configErrorAsync(() => loadComfyWorkflow(path));
    expect(error.message).toContain(path);
    expect(error.message).toContain('Export (API)');
  });
});
