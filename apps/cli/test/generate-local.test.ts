/**
 * `generate` without --server: the engine runs inside the CLI process. A real portrait and a short prompt
 * become an MP4 (H.264 + AAC) at --output, reported by --json; a photo without a face fails the job at
 * the render node (exit 4, NO_FACE_FOUND); a file that is not an image is refused before the engine starts
 * (exit 3). No temporary folder is left behind.
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeMedia } from '@myspinbot/engines/media';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonReport, PORTRAIT, PROMPT, runCli, topLevelBoxes } from './support/cli.js';

/** The CLI's temporary folders still in `dir` (tsx keeps its own cache there too). */
function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.startsWith('myspinbot-cli-'));
}

describe('myspinbot generate (in process)', () => {
  let dir: string;
  let scratch: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'myspinbot-cli-test-'));
    // The CLI's temporary folders (myspinbot-cli-*) go under TMPDIR: a private one shows they are removed.
    scratch = mkdtempSync(join(tmpdir(), 'myspinbot-cli-tmp-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  it('turns carl_jung.jpg and a prompt into an MP4 and reports it as JSON', async () => {
    const output = join(dir, 'carl.mp4');
    const run = await runCli(['generate', '--image', PORTRAIT, '--prompt', PROMPT, '-o', output, '--json'], {
      env: { TMPDIR: scratch },
    });
    expect(run.stderr).not.toMatch(/myspinbot: [A-Z_]+: /);
    expect(run.code).toBe(0);
    const report = jsonReport(run);
    expect(report).toMatchObject({ ok: true, exitCode: 0, pipeline: 'talking-portrait', output });
    expect(report.jobId).toMatch(/^[0-9a-f-]{36}$/);
    const size = statSync(output).size;
    expect(report.bytes).toBe(size);
    expect(size).toBeGreaterThan(10_000);
    const boxes = topLevelBoxes(output).map((b) => b.type);
    expect(boxes[0]).toBe('ftyp');
    expect(boxes).toContain('moov');
    expect(boxes).toContain('mdat');
    const info = await probeMedia(output);
    expect(info.streams.find((s) => s.codecType === 'video')?.codecName).toBe('h264');
    expect(info.streams.find((s) => s.codecType === 'audio')?.codecName).toBe('aac');
    expect(info.durationMs).toBeGreaterThan(1000);
    // Without a terminal, progress is one line per step.
    expect(run.stderr).toMatch(/myspinbot: \[ *\d+%\] Render the talking portrait/);
    expect(leftovers(scratch)).toEqual([]);
    expect(readdirSync(dir).filter((name) => name.endsWith('.part'))).toEqual([]);
  }, 90_000);

  it('exits 4 with NO_FACE_FOUND, naming the node, for a photo without a face', async () => {
    const noFace = join(dir, 'gradient.png');
    const pixels = Buffer.alloc(256 * 256 * 3);
    for (let i = 0; i < 256 * 256; i++) pixels.set([i % 256, (i >> 8) % 256, 128], i * 3);
    writeFileSync(
      noFace,
      await sharp(pixels, { raw: { width: 256, height: 256, channels: 3 } })
        .png()
        .toBuffer(),
    );
    const output = join(dir, 'none.mp4');
    const run = await runCli(['generate', '--image', noFace, '--prompt', PROMPT, '-o', output, '--json'], {
      env: { TMPDIR: scratch },
    });
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(
      /^myspinbot: NO_FACE_FOUND: job [0-9a-f-]{36} failed at node render .*No face/m,
    );
    expect(jsonReport(run)).toMatchObject({
      ok: false,
      exitCode: 4,
      output: null,
      error: { code: 'NO_FACE_FOUND', nodeId: 'render' },
    });
    expect(() => statSync(output)).toThrow();
    expect(leftovers(scratch)).toEqual([]);
  }, 90_000);

  it('exits 3 with UNSUPPORTED_MEDIA_TYPE for a file that is not an image', async () => {
    const text = join(dir, 'portrait.jpg');
    writeFileSync(text, 'this is not a JPEG\n');
    const run = await runCli(['generate', '--image', text, '--prompt', PROMPT], { env: { TMPDIR: scratch } });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      /^myspinbot: UNSUPPORTED_MEDIA_TYPE: .*portrait\.jpg: the image must be a JPEG, PNG or WebP/m,
    );
    expect(leftovers(scratch)).toEqual([]);
  }, 60_000);
});
