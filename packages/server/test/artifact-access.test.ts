/**
 * Signed artifact tokens and the public limits, on a real server (embedded composition listening on a
 * port, requests over HTTP): with API keys configured, a token from POST /api/jobs/:id/artifact-token opens
 * that job's artifact downloads (with Range) and nothing else; GET /api/limits answers the configured limits
 * without a key.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ApiLimits, type ArtifactToken, validatorFor } from '@myspinbot/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ArtifactTokens } from '../src/control/artifact-tokens.js';
import { type Harness, portrait, startHarness } from './harness.js';

const limitsValidator = validatorFor<ApiLimits>('access.schema.json#/$defs/ApiLimits', 'limits');
const tokenValidator = validatorFor<ArtifactToken>('access.schema.json#/$defs/ArtifactToken', 'token');

const KEY = 'test-key-'.padEnd(32, 'k');
const SECRET = 'artifact-token-secret-'.padEnd(48, 's');

describe('ArtifactTokens', () => {
  const at = (ms: number) => new ArtifactTokens({ secret: SECRET, ttlSeconds: 3600, now: () => ms });
  const t0 = Date.UTC(2030, 0, 1);

  it('issues a token for one job that expires after the TTL', () => {
    const issued = at(t0).issue('job-a');
    expect(tokenValidator.problems(issued)).toEqual([]);
    expect(issued).toMatchObject({ jobId: 'job-a', expiresIn: 3600, expiresAt: '2030-01-01T01:00:00.000Z' });
    expect(at(t0).verify('job-a', issued.token)).toBe('ok');
    expect(at(t0 + 3_599_000).verify('job-a', issued.token)).toBe('ok');
    expect(at(t0 + 3_600_000).verify('job-a', issued.token)).toBe('expired');
    expect(at(t0).verify('job-b', issued.token)).toBe('invalid');
  });

  it('refuses tampered, forged, malformed and non-canonical tokens', () => {
    const { token } = at(t0).issue('job-a');
    const [expiry = '', mac = ''] = token.split('.');
    const flip = (c: string) => (c === 'A' ? 'B' : 'A');
    const tokens = new ArtifactTokens({ secret: SECRET, ttlSeconds: 3600, now: () => t0 });
    // A later expiry with the old signature.
    expect(tokens.verify('job-a', `${Number(expiry) + 3600}.${mac}`)).toBe('invalid');
    expect(tokens.verify('job-a', `${expiry}.${flip(mac[0] ?? '')}${mac.slice(1)}`)).toBe('invalid');
    // The last base64url character carries 2 unused bits: another spelling of the same bytes is refused.
    const last = mac.at(-1) ?? '';
    const alias = 'AEIMQUYcgkosw048'.includes(last)
      ? String.fromCharCode(last.charCodeAt(0) + 1)
      : String.fromCharCode(last.charCodeAt(0) - 1);
    expect(tokens.verify('job-a', `${expiry}.${mac.slice(0, -1)}${alias}`)).toBe('invalid');
    for (const bad of ['', 'x', `${expiry}`, `${expiry}.`, `-1.${mac}`, `${expiry}.${mac}=`, 42, null, ['a']])
      expect(tokens.verify('job-a', bad)).toBe('invalid');
    // Signed with another secret, or by a process with a random one.
    const other = new ArtifactTokens({ secret: 'another-secret-'.padEnd(40, 'x'), ttlSeconds: 3600 });
    expect(tokens.verify('job-a', other.issue('job-a').token)).toBe('invalid');
    const random = new ArtifactTokens({ ttlSeconds: 3600 });
    expect(random.ephemeral).toBe(true);
    expect(tokens.verify('job-a', random.issue('job-a').token)).toBe('invalid');
    // A forged token is never called expired, even when its expiry has passed.
    expect(tokens.verify('job-a', `1.${mac}`)).toBe('invalid');
  });

  it('lets every replica with the same secret check the tokens of another', () => {
    const a = new ArtifactTokens({ secret: SECRET, ttlSeconds: 600 });
    const b = new ArtifactTokens({ secret: SECRET, ttlSeconds: 600 });
    expect(b.verify('job-a', a.issue('job-a').token)).toBe('ok');
  });
});

describe('artifact access with API keys (real server)', () => {
  let h: Harness;
  let base: string;
  let configDir: string;
  let jobA: string;
  let jobB: string;
  let portraitA: string;
  let portraitB: string;
  let portraitSize: number;
  const keyed = { 'x-api-key': KEY };

  beforeAll(async () => {
    configDir = mkdtempSync(join(tmpdir(), 'myspinbot-access-'));
    const configFile = join(configDir, 'config.json');
    writeFileSync(configFile, JSON.stringify({ api: { maxPromptChars: 321, maxVoiceTextChars: 123 } }));
    h = await startHarness({
      API_KEYS: KEY,
      ARTIFACT_TOKEN_SECRET: SECRET,
      ARTIFACT_TOKEN_TTL_SECONDS: '600',
      MAX_IMAGE_BYTES: String(300 * 1024),
      MAX_VOICE_BYTES: String(2 * 1024 * 1024),
      CONFIG_FILE: configFile,
    });
    base = h.proc.url;
    const jobs: string[] = [];
    for (const prompt of ['job A', 'job B']) {
      const response = await h.train({ image: portrait(), prompt }, keyed);
      expect(response.statusCode).toBe(202);
      const { jobId } = response.json() as { jobId: string };
      expect((await h.waitForEnd(jobId)).status).toBe('completed');
      jobs.push(jobId);
    }
    [jobA = '', jobB = ''] = jobs;
    const detail = (await (await fetch(`${base}/api/jobs/${jobA}`, { headers: keyed })).json()) as {
      artifacts: { name: string; url: string; size: number }[];
    };
    const ref = detail.artifacts.find((a) => a.name === 'portrait.jpg');
    if (!ref) throw new Error('the job has no portrait artifact');
    portraitA = ref.url;
    portraitB = ref.url.replace(jobA, jobB);
    portraitSize = ref.size;
  }, 60_000);

  afterAll(async () => {
    await h?.close();
    rmSync(configDir, { recursive: true, force: true });
  });

  const issue = async (jobId: string): Promise<ArtifactToken> => {
    const response = await fetch(`${base}/api/jobs/${jobId}/artifact-token`, {
      method: 'POST',
      headers: keyed,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as ArtifactToken;
    expect(tokenValidator.problems(body)).toEqual([]);
    return body;
  };
  const code = async (response: Response) =>
    ((await response.json()) as { error: { code: string } }).error.code;

  it('GET /api/limits answers the configured limits without a key', async () => {
    const response = await fetch(`${base}/api/limits`);
    expect(response.status).toBe(200);
    const limits = (await response.json()) as ApiLimits;
    expect(limitsValidator.problems(limits)).toEqual([]);
    expect(limits).toEqual({
      image: {
        maxBytes: 300 * 1024,
        types: ['image/jpeg', 'image/png', 'image/webp'],
        minSide: 64,
        maxSide: 8192,
      },
      voice: { maxBytes: 2 * 1024 * 1024, types: ['audio/wav'], minSeconds: 1, maxSeconds: 180 },
      promptChars: 321,
      voiceTextChars: 123,
      apiKeyRequired: true,
    });
    // The server applies the same numbers.
    const long = await h.train({ image: portrait(), prompt: 'x'.repeat(322) }, keyed);
    expect(long.statusCode).toBe(413);
  });

  it('issues a token to key holders only, for a job that exists', async () => {
    const anonymous = await fetch(`${base}/api/jobs/${jobA}/artifact-token`, { method: 'POST' });
    expect(anonymous.status).toBe(401);
    expect(await code(anonymous)).toBe('UNAUTHORIZED');
    const issued = await issue(jobA);
    expect(issued.jobId).toBe(jobA);
    expect(issued.expiresIn).toBe(600);
    expect(Date.parse(issued.expiresAt) - Date.now()).toBeGreaterThan(590_000);
    const unknown = await fetch(`${base}/api/jobs/no-such-job/artifact-token`, {
      method: 'POST',
      headers: keyed,
    });
    expect(unknown.status).toBe(404);
    expect(await code(unknown)).toBe('JOB_NOT_FOUND');
  });

  it("a token opens that job's artifacts, whole and by range, and HEAD", async () => {
    const { token } = await issue(jobA);
    expect((await fetch(`${base}${portraitA}`)).status).toBe(401);
    const whole = await fetch(`${base}${portraitA}?token=${token}`);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('image/jpeg');
    expect((await whole.arrayBuffer()).byteLength).toBe(portraitSize);
    const part = await fetch(`${base}${portraitA}?token=${token}`, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${portraitSize}`);
    expect((await part.arrayBuffer()).byteLength).toBe(100);
    const head = await fetch(`${base}${portraitA}?token=${token}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    // A missing artifact of the same job is a 404, not a 401.
    const missing = await fetch(`${base}/api/jobs/${jobA}/artifacts/input/nothing.bin?token=${token}`);
    expect(missing.status).toBe(404);
  });

  it('refuses a token for another job, an expired one and a tampered one (401, stable codes)', async () => {
    const { token } = await issue(jobA);
    const other = await fetch(`${base}${portraitB}?token=${token}`);
    expect(other.status).toBe(401);
    expect(await code(other)).toBe('ARTIFACT_TOKEN_INVALID');
    // Signed with the server's secret an hour ago, for ten minutes.
    const past = new ArtifactTokens({ secret: SECRET, ttlSeconds: 600, now: () => Date.now() - 3_600_000 });
    const expired = await fetch(`${base}${portraitA}?token=${past.issue(jobA).token}`);
    expect(expired.status).toBe(401);
    expect(await code(expired)).toBe('ARTIFACT_TOKEN_EXPIRED');
    const [expiry = '', mac = ''] = token.split('.');
    for (const bad of [`${Number(expiry) + 1}.${mac}`, `${expiry}.${mac.slice(1)}A`, 'garbage', '']) {
      const refused = await fetch(`${base}${portraitA}?token=${encodeURIComponent(bad)}`);
      expect(refused.status, bad).toBe(401);
      expect(await code(refused), bad).toBe('ARTIFACT_TOKEN_INVALID');
    }
    const twice = await fetch(`${base}${portraitA}?token=${token}&token=${token}`);
    expect(await code(twice)).toBe('ARTIFACT_TOKEN_INVALID');
    // Signed by a process with another secret (an API replica without ARTIFACT_TOKEN_SECRET).
    const stranger = new ArtifactTokens({ ttlSeconds: 600 });
    expect(await code(await fetch(`${base}${portraitA}?token=${stranger.issue(jobA).token}`))).toBe(
      'ARTIFACT_TOKEN_INVALID',
    );
  });

  it('opens nothing but artifact downloads: the key is still required elsewhere and never read from a URL', async () => {
    const { token } = await issue(jobA);
    for (const path of [`/api/jobs/${jobA}`, `/api/status/${jobA}`, '/api/jobs', '/api/capabilities']) {
      const response = await fetch(`${base}${path}?token=${token}`);
      expect(response.status, path).toBe(401);
      expect(await code(response), path).toBe('UNAUTHORIZED');
    }
    for (const [method, path] of [
      ['DELETE', `/api/jobs/${jobA}`],
      ['POST', `/api/jobs/${jobA}/retry`],
      ['POST', `/api/jobs/${jobA}/artifact-token`],
    ] as const) {
      const response = await fetch(`${base}${path}?token=${token}`, { method });
      expect(response.status, `${method} ${path}`).toBe(401);
    }
    // The API's description is open, as the limits are: it holds no job data.
    expect((await fetch(`${base}/api/openapi.json`)).status).toBe(200);
    // API keys are read from headers only on HTTP routes.
    const inUrl = await fetch(`${base}${portraitA}?apiKey=${KEY}`);
    expect(inUrl.status).toBe(401);
    expect((await fetch(`${base}/api/jobs?apiKey=${KEY}`)).status).toBe(401);
    // A key header still works on artifacts, with or without a token.
    expect((await fetch(`${base}${portraitA}`, { headers: keyed })).status).toBe(200);
    expect((await fetch(`${base}${portraitA}?token=garbage`, { headers: keyed })).status).toBe(200);
    // The job still exists (the refused DELETE changed nothing).
    expect((await fetch(`${base}/api/jobs/${jobA}`, { headers: keyed })).status).toBe(200);
  });

  it('describes both routes in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${base}/api/openapi.json`, { headers: keyed })).json()) as {
      paths: Record<string, Record<string, { security?: unknown[] }>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.paths['/api/limits']?.get?.security).toEqual([{}]);
    expect(doc.paths['/api/jobs/{jobId}/artifact-token']?.post).toBeDefined();
    expect(doc.paths['/api/jobs/{jobId}/artifacts/{nodeId}/{name}']?.get?.security).toContainEqual({
      artifactToken: [],
    });
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['ApiLimits', 'ArtifactToken']),
    );
  });

  it('leaves /ws as it was: the key as ?apiKey=, and a token is no key', async () => {
    const ws = base.replace('http', 'ws');
    const { token } = await issue(jobA);
    const opens = (url: string) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(url);
        socket.once('open', () => {
          socket.close();
          resolve(101);
        });
        socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        socket.once('error', () => resolve(0));
      });
    expect(await opens(`${ws}/ws?apiKey=${KEY}`)).toBe(101);
    expect(await opens(`${ws}/ws?token=${token}`)).toBe(401);
    expect(await opens(`${ws}/ws`)).toBe(401);
  });
});

describe('artifact access without API keys', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ MAX_IMAGE_BYTES: String(500 * 1024) });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('says no key is needed, still issues tokens, and ignores a bad one', async () => {
    const limits = (await h.proc.app.inject({ method: 'GET', url: '/api/limits' })).json() as ApiLimits;
    expect(limits).toMatchObject({
      apiKeyRequired: false,
      image: { maxBytes: 500 * 1024 },
      promptChars: 4000,
    });
    const response = await h.train({ image: portrait(), prompt: 'open' });
    const { jobId } = response.json() as { jobId: string };
    await h.waitForEnd(jobId);
    const issued = await h.proc.app.inject({ method: 'POST', url: `/api/jobs/${jobId}/artifact-token` });
    expect(issued.statusCode).toBe(200);
    const url = `/api/jobs/${jobId}/artifacts/input/portrait.jpg`;
    expect((await h.proc.app.inject({ method: 'GET', url: `${url}?token=garbage` })).statusCode).toBe(200);
  });
});
