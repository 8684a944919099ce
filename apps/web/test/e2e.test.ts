/**
 * End to end in a real browser: Debian's headless Chromium driven by playwright-core against the embedded
 * all-in-one process serving the static export of this UI (built here when the sources are newer than it).
 * It uploads the test portrait with a prompt, follows the job to the video and plays it, survives a
 * reload and a dropped WebSocket, shows why a photo without a face fails, and cancels a running job. A
 * second server with API keys checks that the page asks for a key and that the video plays from a URL with
 * an artifact token (not the key), and that the form follows the limits that server is configured with.
 * Screenshots of the main states go to test-artifacts/web/.
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Locator,
  type Page,
  type WebSocketRoute,
} from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, type RoleProcess, startRole } from '../../../test/support/processes.js';
import { buildIfStale, OUT_DIR } from '../scripts/build-if-stale';

const SHOTS = join(ROOT, 'test-artifacts', 'web');
const PORTRAIT = join(ROOT, '..', 'shared', 'testdata', 'carl_jung.jpg');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A 512x512 photo of noise: no face for the renderer to find. */
async function faceless(): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), 'myspinbot-web-')), 'noise.png');
  await sharp({
    create: {
      width: 512,
      height: 512,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 60 },
    },
  })
    .png()
    .toFile(file);
  return file;
}

const LONG_PROMPT = Array.from(
  { length: 30 },
  (_, i) => `This is sentence number ${i + 1} of a long talk about dreams, symbols and the unconscious mind.`,
).join(' ');

let server: RoleProcess;
let browser: Browser;
let context: BrowserContext;
let noisePhoto: string;

async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
}

async function openApp(page: Page, path = '/'): Promise<void> {
  await page.goto(`${server.url}${path}`);
  await page.locator('.connection[data-status="open"]').waitFor({ timeout: 15_000 });
  await page.locator('select >> option[value="talking-portrait"]').first().waitFor({ state: 'attached' });
}

/** Fills the form and submits it; answers the card of the new job. */
async function submit(
  page: Page,
  photo: string,
  prompt: string,
  options: { burnCaptions?: boolean } = {},
): Promise<Locator> {
  await page.getByLabel('Portrait photo').setInputFiles(photo);
  await page.getByText(/^(JPEG|PNG), 512 × 512 px$/).waitFor();
  await page.getByLabel('Prompt').fill(prompt);
  if (options.burnCaptions === false) {
    await page.getByText('Video options').click();
    await page.getByRole('checkbox', { name: 'Burn captions into the video' }).uncheck();
  }
  const accepted = page.waitForResponse(
    (r) => r.url().endsWith('/api/train') && r.request().method() === 'POST',
  );
  await page.getByRole('button', { name: 'Create the video' }).click();
  const response = await accepted;
  expect(response.status()).toBe(202);
  const { jobId } = (await response.json()) as { jobId: string };
  return page.locator(`article[data-job-id="${jobId}"]`);
}

const statusOf = (card: Locator) => card.getAttribute('data-status');

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: the web end-to-end test drives Debian's chromium with playwright-core ` +
        '(install it with `apt-get install -y chromium`, or set CHROMIUM_PATH).',
    );
  }
  mkdirSync(SHOTS, { recursive: true });
  await buildIfStale();
  [server, browser, noisePhoto] = await Promise.all([
    startRole('embedded', { WEB_DIR: OUT_DIR, PORT: '0' }),
    chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }),
    faceless(),
  ]);
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
}, 150_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.stop();
});

describe('web UI in Chromium', () => {
  it('turns the portrait and a prompt into a video that plays, with captions, and keeps it across a reload', async () => {
    const page = await context.newPage();
    await openApp(page);
    await shot(page, '01-desktop-start');

    // Keyboard: the first stop is a visible skip link with a focus ring, and it leads to the content.
    await page.keyboard.press('Tab');
    const skip = await page.evaluate(() => {
      const element = document.activeElement;
      if (!(element instanceof HTMLElement)) return null;
      return {
        text: element.textContent,
        outline: getComputedStyle(element).outlineStyle,
        visible: element.getBoundingClientRect().top >= 0,
      };
    });
    expect(skip).toEqual({ text: 'Skip to the content', outline: 'solid', visible: true });
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');

    const card = await submit(
      page,
      PORTRAIT,
      'Hello, I am Carl Jung. Dreams are the royal road to the unconscious; let me tell you why they matter.',
      // The page shows the captions track; the picture stays clean.
      { burnCaptions: false },
    );
    // Live per-step progress: the renderer (the longest step) is seen running.
    await card.locator('.step--running[data-node-id="render"]').waitFor({ timeout: 30_000 });
    expect(await card.locator('.job-card__step').textContent()).toBe('Render the talking portrait');
    await shot(page, '02-desktop-running');
    await expect.poll(() => statusOf(card), { timeout: 90_000, interval: 250 }).toBe('completed');
    expect(
      await card.getByRole('progressbar', { name: 'Overall progress' }).getAttribute('aria-valuenow'),
    ).toBe('100');

    // The video loads, plays (muted autoplay is allowed) and shows its captions track.
    const video = card.locator('video');
    await page.waitForFunction(
      (el) => (el as HTMLVideoElement).readyState >= 2,
      await video.elementHandle(),
      {
        timeout: 20_000,
      },
    );
    const playback = await video.evaluate(async (element) => {
      const v = element as HTMLVideoElement;
      v.muted = true;
      const start = v.currentTime;
      await v.play();
      await new Promise((resolve) => setTimeout(resolve, 1200));
      v.pause();
      const track = v.textTracks[0];
      return {
        start,
        now: v.currentTime,
        duration: v.duration,
        trackMode: track?.mode,
        trackKind: track?.kind,
        cues: track?.cues?.length ?? 0,
        width: v.videoWidth,
      };
    });
    expect(playback.now).toBeGreaterThan(playback.start + 0.3);
    expect(playback.duration).toBeGreaterThan(1);
    expect(playback.width).toBeGreaterThan(0);
    expect(playback).toMatchObject({ trackKind: 'captions', trackMode: 'showing' });
    expect(playback.cues).toBeGreaterThan(0);

    // Downloadable (with ranges, for seeking), next to the narration and the speech.
    const download = card.getByRole('link', { name: 'Download MP4' });
    const href = await download.getAttribute('href');
    expect(href).toMatch(/\/artifacts\/[a-z-]+\/video\.mp4$/);
    const fetched = await page.evaluate(async (url) => {
      const whole = await fetch(url);
      const part = await fetch(url, { headers: { range: 'bytes=0-99' } });
      return { status: whole.status, type: whole.headers.get('content-type'), partStatus: part.status };
    }, href ?? '');
    expect(fetched).toEqual({ status: 200, type: 'video/mp4', partStatus: 206 });
    await expect
      .poll(() => card.locator('blockquote').textContent(), { timeout: 10_000 })
      .toContain('royal road to the unconscious');
    expect(await card.locator('audio').getAttribute('src')).toMatch(/\/speech\.wav$/);
    await shot(page, '03-desktop-completed');

    // A reload brings the job back (address) and the history lists it (server side).
    const jobId = (await card.getAttribute('data-job-id')) ?? '';
    const sent = await page.evaluate(
      async (id) =>
        ((await (await fetch(`/api/jobs/${id}`)).json()) as { input: { options: unknown } }).input.options,
      jobId,
    );
    expect(sent).toEqual({ captions: false });
    expect(new URL(page.url()).searchParams.get('job')).toBe(jobId);
    await page.reload();
    const again = page.locator(`article[data-job-id="${jobId}"]`);
    await expect.poll(() => statusOf(again), { timeout: 15_000 }).toBe('completed');
    await again.locator('video').waitFor();
    await page.locator(`.history__item[data-job-id="${jobId}"]`).waitFor();

    // Phone-sized: nothing wider than the screen, the job in view.
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    const small = await phone.newPage();
    await small.goto(`${server.url}/?job=${jobId}`);
    await small.locator(`article[data-job-id="${jobId}"] video`).waitFor({ timeout: 15_000 });
    await small.waitForFunction(() => document.activeElement?.classList.contains('job-card__title') ?? false);
    expect(await small.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(small, '04-phone-completed', false);
    await small.evaluate(() => window.scrollTo(0, 0));
    await shot(small, '05-phone-form', false);
    await phone.close();
    await page.close();
  }, 120_000);

  it('shows the connection state while the WebSocket reconnects, then follows the job again', async () => {
    const page = await context.newPage();
    const connections: { route: WebSocketRoute; upstream: WebSocketRoute; sent: string[] }[] = [];
    let refuse = false;
    await page.routeWebSocket(/\/ws$/, (route) => {
      if (refuse) {
        void route.close({ code: 1013, reason: 'try again later' });
        return;
      }
      const upstream = route.connectToServer();
      const entry = { route, upstream, sent: [] as string[] };
      connections.push(entry);
      route.onMessage((message) => {
        entry.sent.push(String(message));
        upstream.send(message);
      });
      upstream.onMessage((message) => route.send(message));
    });
    await openApp(page);
    const card = await submit(page, PORTRAIT, LONG_PROMPT.slice(0, 300));
    await expect.poll(() => statusOf(card), { timeout: 15_000 }).toBe('running');
    const jobId = (await card.getAttribute('data-job-id')) ?? '';

    // The server goes away and refuses new connections for a while.
    refuse = true;
    const first = connections[0];
    if (!first) throw new Error('the page did not open a WebSocket');
    expect(first.sent).toContain(JSON.stringify({ action: 'SUBSCRIBE', jobId }));
    await first.upstream.close();
    await first.route.close({ code: 1012, reason: 'restarting' });
    const badge = page.locator('.connection');
    await expect.poll(() => badge.getAttribute('data-status')).toBe('reconnecting');
    await expect
      .poll(() => badge.locator('[role="status"]').textContent(), { timeout: 10_000 })
      .toMatch(/attempt [2-9]/);
    await shot(page, '06-desktop-reconnecting', false);

    // Back: "Reconnect now" skips the wait, and the subscription is restored on the new connection.
    refuse = false;
    await page.getByRole('button', { name: 'Reconnect now' }).click();
    await expect.poll(() => badge.getAttribute('data-status'), { timeout: 10_000 }).toBe('open');
    const second = connections[1];
    expect(second?.sent).toContain(JSON.stringify({ action: 'SUBSCRIBE', jobId }));
    await expect.poll(() => statusOf(card), { timeout: 90_000, interval: 250 }).toBe('completed');
    await page.close();
  }, 120_000);

  it('says why a photo without a face fails (node, code, message), and retries it', async () => {
    const page = await context.newPage();
    await openApp(page);
    const card = await submit(page, noisePhoto, 'Hello from nobody at all.');
    await expect.poll(() => statusOf(card), { timeout: 60_000, interval: 250 }).toBe('failed');
    const failure = card.locator('.failure');
    expect(await failure.getAttribute('role')).toBe('alert');
    expect(await failure.textContent()).toMatch(/Failed at “Render the talking portrait” render/);
    expect(await failure.locator('.failure__code').textContent()).toBe('NO_FACE_FOUND');
    expect(((await failure.locator('.failure__message').textContent()) ?? '').length).toBeGreaterThan(
      'NO_FACE_FOUND '.length,
    );
    await shot(page, '07-desktop-failed');

    const jobId = (await card.getAttribute('data-job-id')) ?? '';
    const retried = page.waitForResponse((r) => r.url().endsWith(`/api/jobs/${jobId}/retry`));
    await card.getByRole('button', { name: 'Retry' }).click();
    expect((await retried).status()).toBe(202);
    // The render step runs a second time (what completed before is kept) and fails the same way.
    await expect
      .poll(
        () =>
          page.evaluate(async (id) => {
            const job = (await (await fetch(`/api/jobs/${id}`)).json()) as {
              status: string;
              nodes: { id: string; attempts?: number }[];
            };
            return `${job.status}:${job.nodes.find((n) => n.id === 'render')?.attempts}`;
          }, jobId),
        { timeout: 60_000, interval: 250 },
      )
      .toBe('failed:2');
    await expect.poll(() => statusOf(card), { timeout: 10_000 }).toBe('failed');
    await page.close();
  }, 120_000);

  it('cancels a running job', async () => {
    const page = await context.newPage();
    await openApp(page);
    const card = await submit(page, PORTRAIT, LONG_PROMPT);
    await expect.poll(() => statusOf(card), { timeout: 15_000 }).toBe('running');
    await card.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => statusOf(card), { timeout: 30_000, interval: 250 }).toBe('cancelled');
    expect(await card.locator('.pill').textContent()).toBe('Cancelled');
    await card.getByRole('button', { name: 'Retry' }).waitFor();
    await shot(page, '08-desktop-cancelled', false);
    await page.close();
  }, 60_000);
});

describe('web UI in Chromium against a server with API keys', () => {
  const KEY = 'e2e-key-'.padEnd(40, 'k');
  let keyed: RoleProcess;

  beforeAll(async () => {
    keyed = await startRole('embedded', {
      WEB_DIR: OUT_DIR,
      PORT: '0',
      API_KEYS: KEY,
      ARTIFACT_TOKEN_SECRET: 'e2e-artifact-token-secret-'.padEnd(48, 's'),
      MAX_IMAGE_BYTES: String(1024 * 1024),
    });
  }, 60_000);

  afterAll(async () => {
    await keyed?.stop();
  });

  it('asks for the key, follows the server’s limits, and plays the video from a URL with a token', async () => {
    const page = await context.newPage();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await page.goto(keyed.url);
    // The server needs a key: the page asks for it first.
    await page.getByLabel('API key').fill(KEY);
    await shot(page, '09-desktop-api-key', false);
    await page.getByRole('button', { name: 'Use this key' }).click();
    await page.locator('.connection[data-status="open"]').waitFor({ timeout: 15_000 });
    await page.locator('select >> option[value="talking-portrait"]').first().waitFor({ state: 'attached' });
    // The portrait limit is this server's (MAX_IMAGE_BYTES), not the built-in 15 MiB.
    await page.getByText(/JPEG, PNG or WebP with one face, up to 1 MiB, 64–8192 px a side\./).waitFor();

    const card = await submit(page, PORTRAIT, 'Hello, I am Carl Jung. Keys keep my videos private.', {
      burnCaptions: false,
    });
    await expect.poll(() => statusOf(card), { timeout: 90_000, interval: 250 }).toBe('completed');
    const video = card.locator('video');
    await page.waitForFunction(
      (el) => (el as HTMLVideoElement).readyState >= 2,
      await video.elementHandle(),
      { timeout: 20_000 },
    );
    const playback = await video.evaluate(async (element) => {
      const v = element as HTMLVideoElement;
      v.muted = true;
      const start = v.currentTime;
      await v.play();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      v.pause();
      return { start, now: v.currentTime, src: v.currentSrc, cues: v.textTracks[0]?.cues?.length ?? 0 };
    });
    expect(playback.now).toBeGreaterThan(playback.start + 0.3);
    expect(playback.cues).toBeGreaterThan(0);
    expect(playback.src).toMatch(/\/artifacts\/[a-z-]+\/video\.mp4\?token=\d+\.[A-Za-z0-9_-]{43}$/);
    await shot(page, '10-desktop-api-key-completed');

    // The token opens this video (with ranges) and the download link; without it the server says 401.
    const href = (await card.getByRole('link', { name: 'Download MP4' }).getAttribute('href')) ?? '';
    expect(href).toBe(new URL(playback.src).pathname + new URL(playback.src).search);
    const fetched = await page.evaluate(async (url) => {
      const part = await fetch(url, { headers: { range: 'bytes=0-99' } });
      const bare = await fetch(url.replace(/\?token=.*$/, ''));
      const body = (await bare.json()) as { error: { code: string } };
      return { partStatus: part.status, bareStatus: bare.status, code: body.error.code };
    }, playback.src);
    expect(fetched).toEqual({ partStatus: 206, bareStatus: 401, code: 'UNAUTHORIZED' });
    // The key went in headers (and on /ws): never into an HTTP URL the page loaded.
    const leaked = requested.filter((url) => url.includes(KEY) && !url.startsWith('ws'));
    expect(leaked).toEqual([]);
    expect(requested.some((url) => url.includes('/video.mp4?token='))).toBe(true);
    await page.close();
  }, 150_000);
});
