import { describe, expect, it } from 'vitest';
import { ApiClient, ApiError, describeError, errorFromBody } from '../lib/api';

interface Call {
  url: string;
  init: RequestInit | undefined;
}

function fakeFetch(respond: (url: string, init?: RequestInit) => Response) {
  const calls: Call[] = [];
  const fetch = async (url: string, init?: RequestInit) => {
    calls.push({ url, init });
    return respond(url, init);
  };
  return { calls, fetch };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('ApiClient', () => {
  it('turns {error:{code,message,details}} answers into typed ApiErrors', async () => {
    const { fetch } = fakeFetch(() =>
      json(415, {
        error: {
          code: 'UNSUPPORTED_MEDIA_TYPE',
          message: 'the image must be a JPEG',
          details: { field: 'image' },
        },
      }),
    );
    const api = new ApiClient({ fetch, pageUrl: 'http://ui.test/' });
    const error = await api.job('abc').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'the image must be a JPEG',
      details: { field: 'image' },
    });
    expect(describeError(error)).toEqual({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'the image must be a JPEG',
    });
  });

  it('names errors without the documented body by their status, and network failures as such', async () => {
    const html = new ApiClient({
      fetch: async () => new Response('<h1>Bad gateway</h1>', { status: 502, statusText: 'Bad Gateway' }),
    });
    await expect(html.pipelines()).rejects.toMatchObject({
      status: 502,
      code: 'HTTP_502',
      message: 'Bad Gateway',
    });
    const down = new ApiClient({
      fetch: async () => {
        throw new TypeError('Failed to fetch');
      },
    });
    await expect(down.pipelines()).rejects.toMatchObject({ status: 0, code: 'NETWORK_ERROR' });
    const garbled = new ApiClient({ fetch: async () => new Response('{nope', { status: 200 }) });
    await expect(garbled.pipelines()).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
    expect(errorFromBody(400, '', { error: { code: 1 } })).toMatchObject({ code: 'HTTP_400' });
  });

  it('posts the upload form as multipart with the options as JSON', async () => {
    const { calls, fetch } = fakeFetch(() =>
      json(202, { jobId: 'j1', status: 'queued', pipeline: 'talking-portrait' }),
    );
    const api = new ApiClient({ fetch, baseUrl: 'http://api.test/' });
    const image = new File([new Uint8Array([0xff, 0xd8, 0xff])], 'me.jpg', { type: 'image/jpeg' });
    const voice = new Blob([new Uint8Array([1])]);
    const accepted = await api.train({
      prompt: 'Hello',
      image,
      voice,
      voiceText: 'hi there',
      pipeline: 'talking-portrait',
      options: { fps: 25, captions: false },
    });
    expect(accepted).toEqual({ jobId: 'j1', status: 'queued', pipeline: 'talking-portrait' });
    const call = calls[0];
    expect(call?.url).toBe('http://api.test/api/train');
    expect(call?.init?.method).toBe('POST');
    const form = call?.init?.body;
    expect(form).toBeInstanceOf(FormData);
    if (!(form instanceof FormData)) return;
    expect(form.get('prompt')).toBe('Hello');
    expect(form.get('pipeline')).toBe('talking-portrait');
    expect(form.get('voiceText')).toBe('hi there');
    expect(JSON.parse(String(form.get('options')))).toEqual({ fps: 25, captions: false });
    expect((form.get('image') as File).name).toBe('me.jpg');
    expect((form.get('voice') as File).name).toBe('voice.wav');
  });

  it('leaves out empty options and absent files', async () => {
    const { calls, fetch } = fakeFetch(() => json(202, { jobId: 'j2', status: 'queued' }));
    await new ApiClient({ fetch }).train({ prompt: 'Hi', options: {} });
    const form = calls[0]?.init?.body;
    if (!(form instanceof FormData)) throw new Error('expected a FormData body');
    expect([...form.keys()]).toEqual(['prompt']);
  });

  it('pages the history with limit, cursor and status filters, and runs the job actions', async () => {
    const { calls, fetch } = fakeFetch((_url, init) =>
      init?.method === 'DELETE'
        ? new Response(null, { status: 204 })
        : json(200, { items: [], nextCursor: null }),
    );
    const api = new ApiClient({ fetch });
    await api.jobs({ limit: 10, cursor: 'abc==', status: ['queued', 'running'] });
    await api.jobs();
    await api.cancel('j/1');
    await api.retry('j1');
    await expect(api.remove('j1')).resolves.toBeUndefined();
    expect(calls.map((c) => `${c.init?.method ?? 'GET'} ${c.url}`)).toEqual([
      'GET /api/jobs?limit=10&cursor=abc%3D%3D&status=queued%2Crunning',
      'GET /api/jobs',
      'POST /api/jobs/j%2F1/cancel',
      'POST /api/jobs/j1/retry',
      'DELETE /api/jobs/j1',
    ]);
  });

  it('resolves artifact and WebSocket addresses against the API origin', () => {
    const same = new ApiClient({ pageUrl: 'https://portrait.example/?job=1' });
    expect(same.artifactUrl({ url: '/api/jobs/j/artifacts/render/video.mp4' })).toBe(
      '/api/jobs/j/artifacts/render/video.mp4',
    );
    expect(same.socketUrl()).toBe('wss://portrait.example/ws');
    expect(same.crossOrigin).toBe(false);

    const other = new ApiClient({ baseUrl: 'http://api.test:3000/', pageUrl: 'http://localhost:3001/' });
    expect(other.artifactUrl({ url: '/api/jobs/j/artifacts/render/video.mp4' })).toBe(
      'http://api.test:3000/api/jobs/j/artifacts/render/video.mp4',
    );
    // PUBLIC_URL on the server makes artifact links absolute already.
    expect(other.artifactUrl({ url: 'https://cdn.test/v.mp4' })).toBe('https://cdn.test/v.mp4');
    expect(other.socketUrl()).toBe('ws://api.test:3000/ws');
    expect(other.crossOrigin).toBe(true);
  });

  it('reads small text artifacts and reports their errors', async () => {
    const api = new ApiClient({
      fetch: async (url) =>
        url.endsWith('narration.txt')
          ? new Response('Hello there.', { status: 200 })
          : json(404, { error: { code: 'ARTIFACT_NOT_FOUND', message: 'no artifact' } }),
    });
    await expect(api.text({ url: '/a/narration.txt' })).resolves.toBe('Hello there.');
    await expect(api.text({ url: '/a/missing.txt' })).rejects.toMatchObject({ code: 'ARTIFACT_NOT_FOUND' });
  });
});

describe('ApiClient with an API key', () => {
  const KEY = 'secret-key-0123456789abcdef';

  it('sends the key as a header on requests and text fetches, and on /ws only as ?apiKey=', async () => {
    const { calls, fetch } = fakeFetch((url) =>
      url.endsWith('.txt') ? new Response('hi') : json(200, { items: [], nextCursor: null }),
    );
    const api = new ApiClient({ fetch, baseUrl: 'https://api.test', pageUrl: 'https://ui.test/' }).with({
      apiKey: KEY,
    });
    expect(api.hasApiKey).toBe(true);
    await api.jobs();
    await api.text({ url: '/api/jobs/j/artifacts/n/a.txt' });
    for (const call of calls) {
      expect(new Headers(call.init?.headers).get('x-api-key')).toBe(KEY);
      expect(call.url).not.toContain(KEY);
    }
    expect(api.socketUrl()).toBe(`wss://api.test/ws?apiKey=${KEY}`);
    expect(new ApiClient({ fetch, baseUrl: 'https://api.test' }).socketUrl()).toBe('wss://api.test/ws');
  });

  it('puts an artifact token, never the key, on media URLs', () => {
    const api = new ApiClient({ pageUrl: 'http://ui.test/', apiKey: KEY });
    const link = { url: '/api/jobs/j/artifacts/render/video.mp4' };
    expect(api.artifactUrl(link)).toBe('/api/jobs/j/artifacts/render/video.mp4');
    expect(api.artifactUrl(link, '1700000000.a_b-c')).toBe(
      '/api/jobs/j/artifacts/render/video.mp4?token=1700000000.a_b-c',
    );
    expect(api.artifactUrl({ url: 'https://cdn.test/v.mp4?x=1' }, 't/+')).toBe(
      'https://cdn.test/v.mp4?x=1&token=t%2F%2B',
    );
  });

  it('asks for limits and artifact tokens, and reports a refused key', async () => {
    const refused: string[] = [];
    const { calls, fetch } = fakeFetch((url, init) => {
      if (url === '/api/limits') return json(200, { apiKeyRequired: true });
      if (url.endsWith('/artifact-token') && init?.method === 'POST')
        return json(200, { jobId: 'j', token: 't', expiresAt: '', expiresIn: 3600 });
      return json(401, { error: { code: 'UNAUTHORIZED', message: 'a valid API key is required' } });
    });
    const api = new ApiClient({
      fetch,
      pageUrl: 'http://ui.test/',
      apiKey: 'wrong',
      onUnauthorized: (e) => refused.push(e.code),
    });
    expect(await api.limits()).toEqual({ apiKeyRequired: true });
    expect(await api.artifactToken('j')).toMatchObject({ token: 't', expiresIn: 3600 });
    expect(calls.at(-1)?.url).toBe('/api/jobs/j/artifact-token');
    await expect(api.jobs()).rejects.toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    await expect(api.text({ url: '/a.txt' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(refused).toEqual(['UNAUTHORIZED', 'UNAUTHORIZED']);
  });
});
