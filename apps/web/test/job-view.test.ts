import { describe, expect, it } from 'vitest';
import { excerpt, formatBytes, formatDuration, formatPercent } from '../lib/format';
import { currentStep, elapsedMs, jobMedia, remainingMs, runningNode } from '../lib/job-view';
import {
  ALL_FEATURES,
  checkOptions,
  DEFAULT_OPTIONS,
  pipelineFeatures,
  toTrainOptions,
} from '../lib/pipeline-options';
import type { CombinedManifest } from '../lib/types';
import {
  artifact,
  at,
  COMPLETED_ARTIFACTS,
  completedState,
  failedState,
  PIPELINES,
  runningState,
} from './support/fixtures';

describe('job view', () => {
  it('names the current step for every status', () => {
    expect(currentStep(runningState())).toBe('Render the talking portrait');
    expect(runningNode(runningState())?.id).toBe('render');
    expect(currentStep(runningState({ status: 'queued', nodes: [], queuePosition: 2 }))).toBe(
      'Waiting in the queue (position 3)',
    );
    expect(currentStep(runningState({ status: 'queued', nodes: [] }))).toBe('Waiting in the queue');
    const between = runningState();
    between.nodes = between.nodes.map((n) => (n.status === 'running' ? { ...n, status: 'pending' } : n));
    expect(currentStep(between)).toBe('Waiting for a data-plane worker');
    expect(currentStep(failedState())).toBe('Failed at “Render the talking portrait”');
    expect(currentStep(completedState())).toBe('Finished');
    expect(currentStep(runningState({ status: 'cancelled' }))).toBe('Cancelled');
  });

  it('measures elapsed time to now while running and to the end once finished', () => {
    expect(elapsedMs(runningState(), Date.parse(at(30)))).toBe(30_000);
    expect(elapsedMs(completedState(), Date.parse(at(500)))).toBe(20_000);
  });

  it('estimates the time left from the run so far and the weighted progress', () => {
    // Started at 1 s, 50% done at 11 s: about 10 s to go.
    expect(remainingMs(runningState(), Date.parse(at(11)))).toBe(10_000);
    expect(remainingMs(runningState({ progress: 0.01 }), Date.parse(at(11)))).toBeNull();
    expect(remainingMs(completedState(), Date.parse(at(11)))).toBeNull();
  });

  it('finds the final video, its captions and poster, and the intermediate results', () => {
    const media = jobMedia(COMPLETED_ARTIFACTS);
    expect(media.video?.name).toBe('video.mp4');
    expect(media.captions?.name).toBe('captions.vtt');
    expect(media.poster?.name).toBe('thumbnail.jpg');
    expect(media.audio?.name).toBe('speech.wav');
    expect(media.script?.name).toBe('script.json');
    expect(media.narration?.name).toBe('narration.txt');
    // An upscaled video from the finalising step wins over the rendered one; the upload is never "the audio".
    const upscaled = jobMedia([
      artifact('input', 'voice.wav', 'audio/wav'),
      ...COMPLETED_ARTIFACTS.filter((a) => a.nodeId !== 'speech'),
      artifact('finalize', 'video.mp4', 'video/mp4'),
    ]);
    expect(upscaled.video?.nodeId).toBe('finalize');
    expect(upscaled.captions?.nodeId).toBe('render');
    expect(upscaled.audio).toBeUndefined();
  });
});

describe('formatting', () => {
  it('formats durations, sizes, percentages and excerpts', () => {
    expect(formatDuration(40)).toBe('< 0.1 s');
    expect(formatDuration(8_400)).toBe('8.4 s');
    expect(formatDuration(12_400)).toBe('12 s');
    expect(formatDuration(65_000)).toBe('1 min 05 s');
    expect(formatDuration(3_725_000)).toBe('1 h 02 min');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(49_512)).toBe('48 KiB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MiB');
    expect(formatPercent(0.456)).toBe('46%');
    expect(formatPercent(1.2)).toBe('100%');
    expect(excerpt('one two three four', 12)).toBe('one two…');
    expect(excerpt('It ends here. Then more words follow', 16)).toBe('It ends here…');
    expect(excerpt('  short  text ')).toBe('short text');
  });
});

describe('pipeline options', () => {
  const manifest: CombinedManifest = {
    planes: { node: null, python: null },
    services: [
      'node/artifacts.prepareAssets',
      'node/script.generateScript',
      'python/render_video',
      'python/synthesize_speech',
      'python/finalize_video',
    ],
    unavailable: [],
    generatedAt: at(0),
  };

  it('offers only what the pipeline runs and the planes advertise', () => {
    const [portrait, , lora] = PIPELINES.pipelines;
    expect(pipelineFeatures(portrait, manifest)).toEqual({
      image: true,
      voice: true,
      script: true,
      render: true,
      upscale: true,
      lora: false,
    });
    expect(pipelineFeatures(lora, null)).toEqual({
      image: true,
      voice: false,
      script: true,
      render: false,
      upscale: false,
      lora: true,
    });
    // A data plane that did not answer may still run its services once a worker is up.
    const silent = {
      ...manifest,
      services: ['node/script.generateScript'],
      unavailable: [{ plane: 'python' as const, reason: 'timeout' }],
    };
    expect(pipelineFeatures(portrait, silent).render).toBe(true);
    expect(pipelineFeatures(undefined, manifest)).toEqual(ALL_FEATURES);
  });

  it('sends only the options that differ from the server defaults', () => {
    expect(toTrainOptions(DEFAULT_OPTIONS, ALL_FEATURES)).toEqual({});
    const draft = {
      ...DEFAULT_OPTIONS,
      frameSize: 'portrait' as const,
      fps: '30' as const,
      captions: false,
      upscale: '1.5' as const,
      language: ' de ',
      maxWords: '120',
      trainLora: true,
    };
    expect(toTrainOptions(draft, ALL_FEATURES)).toEqual({
      width: 720,
      height: 1280,
      fps: 30,
      captions: false,
      upscale: 1.5,
      language: 'de',
      maxWords: 120,
      trainLora: true,
    });
    expect(toTrainOptions(draft, { ...ALL_FEATURES, render: false, upscale: false, lora: false })).toEqual({
      language: 'de',
      maxWords: 120,
    });
  });

  it('checks the language code and the word limit like the schema', () => {
    expect(checkOptions({ ...DEFAULT_OPTIONS, language: 'pt-BR', maxWords: '5' }, ALL_FEATURES)).toEqual({});
    expect(checkOptions({ ...DEFAULT_OPTIONS, language: 'English', maxWords: '401' }, ALL_FEATURES)).toEqual({
      language: 'Use a language code such as en, de or pt-BR.',
      maxWords: 'A whole number from 5 to 400.',
    });
  });
});
