/**
 * The default pipeline end to end, in the embedded process with the real engines: a portrait and a prompt
 * become a narrated talking-portrait MP4 (H.264 + AAC) whose length matches the narration, with captions,
 * a thumbnail and the intermediate artifacts (script, speech, timings).
 */

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { probeMedia } from '@myspinbot/engines/media';
import type { SpeechTimings } from '@myspinbot/services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CATALOG_FILE } from '../src/control/planning/catalog.js';
import { type Harness, portrait, startHarness } from './harness.js';

describe('default pipeline (talking-portrait)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ DIAGNOSTICS: '0' }, DEFAULT_CATALOG_FILE);
  });

  afterAll(async () => {
    await h.close();
  });

  it('turns carl_jung.jpg and a prompt into an MP4 with H.264 video and AAC audio as long as the narration', async () => {
    const prompt =
      'Hello. I am Carl. Today I will tell you a short story about dreams and the shadow we all carry.';
    const response = await h.train({
      image: portrait(),
      prompt,
      options: JSON.stringify({ width: 512, height: 640, fps: 20 }),
    });
    expect(response.statusCode).toBe(202);
    const { jobId } = response.json();
    const record = await h.waitForEnd(jobId, 180_000);
    expect(record.error).toBeNull();
    expect(record.status).toBe('completed');
    const statuses = Object.fromEntries(record.graph?.nodes.map((n) => [n.id, n.status]) ?? []);
    expect(statuses).toMatchObject({
      prepare: 'completed',
      script: 'completed',
      'post-script': 'completed',
      voice: 'skipped',
      speech: 'completed',
      lora: 'skipped',
      render: 'completed',
      finalize: 'completed',
      publish: 'completed',
    });

    const detail = (await h.proc.app.inject({ method: 'GET', url: `/api/jobs/${jobId}` })).json();
    const byName = new Map<string, { url: string; contentType: string; key: string }>(
      detail.artifacts.map((a: { name: string; url: string; contentType: string; key: string }) => [
        a.name,
        a,
      ]),
    );
    for (const name of [
      'video.mp4',
      'captions.vtt',
      'thumbnail.jpg',
      'speech.wav',
      'timings.json',
      'script.json',
      'result.json',
    ]) {
      expect(byName.has(name), name).toBe(true);
    }
    const videoPath = join(h.dir, 'out.mp4');
    const video = await h.proc.app.inject({ method: 'GET', url: byName.get('video.mp4')?.url ?? '' });
    expect(video.headers['content-type']).toBe('video/mp4');
    writeFileSync(videoPath, video.rawPayload);
    const info = await probeMedia(videoPath);
    const videoStream = info.streams.find((s) => s.codecType === 'video');
    const audioStream = info.streams.find((s) => s.codecType === 'audio');
    expect(videoStream?.codecName).toBe('h264');
    expect(audioStream?.codecName).toBe('aac');
    expect(Math.min(videoStream?.width ?? 0, videoStream?.height ?? 0)).toBeGreaterThanOrEqual(512);
    const timings = (
      await h.proc.app.inject({ method: 'GET', url: byName.get('timings.json')?.url ?? '' })
    ).json() as SpeechTimings;
    expect(Math.abs(info.durationMs - timings.durationMs)).toBeLessThan(500);
    // Faststart: the moov atom comes before the media data.
    const bytes = video.rawPayload;
    expect(bytes.indexOf('moov')).toBeLessThan(bytes.indexOf('mdat'));
    const vtt = (await h.proc.app.inject({ method: 'GET', url: byName.get('captions.vtt')?.url ?? '' })).body;
    expect(vtt.startsWith('WEBVTT')).toBe(true);
    expect(vtt).toMatch(/dreams/);
  });

  it('upscales the final video with ffmpeg when asked, and trains nothing it cannot', async () => {
    const response = await h.train({
      image: portrait(),
      prompt: 'A short line to scale up.',
      options: JSON.stringify({
        width: 512,
        height: 512,
        fps: 15,
        upscale: 1.5,
        captions: false,
        trainLora: true,
      }),
    });
    expect(response.statusCode).toBe(202);
    const { jobId } = response.json();
    const record = await h.waitForEnd(jobId, 180_000);
    expect(record.status).toBe('completed');
    const finalize = record.graph?.nodes.find((n) => n.id === 'finalize')?.output as {
      upscaled: boolean;
      width: number;
      height: number;
    };
    expect(finalize).toMatchObject({ upscaled: true, width: 768, height: 768 });
    const lora = record.graph?.nodes.find((n) => n.id === 'lora')?.output as {
      images: number;
      weights: unknown;
    };
    expect(lora.images).toBeGreaterThanOrEqual(4);
    expect(lora.weights).toBeNull();
    const detail = (await h.proc.app.inject({ method: 'GET', url: `/api/jobs/${jobId}` })).json();
    const final = detail.artifacts.find((a: { name: string }) => a.name === 'final.mp4');
    const path = join(h.dir, 'final.mp4');
    writeFileSync(path, (await h.proc.app.inject({ method: 'GET', url: final.url })).rawPayload);
    const info = await probeMedia(path);
    expect(info.streams.find((s) => s.codecType === 'video')).toMatchObject({
      codecName: 'h264',
      width: 768,
      height: 768,
    });
    expect(detail.artifacts.some((a: { name: string }) => a.name === 'dataset.tar.gz')).toBe(true);
  });
});
