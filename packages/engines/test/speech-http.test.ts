import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MySpinBotError } from '@myspinbot/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { concatAudio } from '../src/audio/pcm.js';
import { decodeWav, encodeWav } from '../src/audio/wav.js';
import { CLONING_ENGINE_NAME, CloningSpeechEngine } from '../src/speech/cloning-engine.js';
import { estimateWordTimings } from '../src/speech/estimate.js';
import { serverMessage } from '../src/speech/http.js';
import { OPENAI_ENGINE_NAME, OpenAISpeechEngine } from '../src/speech/openai-engine.js';
import type { PcmAudio, VoiceProfile } from '../src/types.js';
import { expectValidTimings } from './speech-helpers.js';

interface Recorded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

type Handler = (request: Recorded, response: ServerResponse) => void;

interface TestServer {
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

const servers: TestServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function startServer(handler: Handler): Promise<TestServer> {
  const requests: Recorded[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const recorded = {
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(recorded);
      handler(recorded, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const handle: TestServer = {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(handle);
  return handle;
}

/** A URL where nothing listens: a server's port after it closed. */
async function deadUrl(): Promise<string> {
  const server = await startServer(() => undefined);
  await server.close();
  servers.splice(servers.indexOf(server), 1);
  return server.url;
}

/** Speech-like test audio: tone bursts (one per word) separated by silences, at 24 kHz. */
function bursts(durationsS: readonly number[], gapS: number, sampleRate = 24000): PcmAudio {
  const pieces: Float32Array[] = [new Float32Array(Math.round(0.2 * sampleRate))];
  for (const seconds of durationsS) {
    const burst = new Float32Array(Math.round(seconds * sampleRate));
    for (let i = 0; i < burst.length; i++) {
      const fade = Math.min(1, i / 200, (burst.length - i) / 200);
      burst[i] = 0.4 * fade * Math.sin((2 * Math.PI * 180 * i) / sampleRate);
    }
    pieces.push(burst, new Float32Array(Math.round(gapS * sampleRate)));
  }
  return concatAudio(sampleRate, pieces);
}

function sendWav(response: ServerResponse, audio: PcmAudio): void {
  const body = encodeWav(audio);
  response.writeHead(200, { 'content-type': 'audio/wav', 'content-length': body.length });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(value));
}

async function rejection(promise: Promise<unknown>): Promise<MySpinBotError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(MySpinBotError);
  return error as MySpinBotError;
}

const PROFILE: VoiceProfile = {
  version: 1,
  pitchHz: 120,
  pitchRangeSemitones: 3,
  wordsPerMinute: 200,
  syllablesPerSecond: 4,
  loudnessDbfs: -22,
  voicedRatio: 0.5,
  sampleDurationS: 9,
  transcript: 'This is how I sound.',
};

describe('estimated word timings', () => {
  it('puts each word in the stretch of sound it most likely belongs to', () => {
    const audio = bursts([0.4, 0.4, 0.4], 0.3);
    const words = estimateWordTimings('alpha, beta; gamma.', audio);
    expect(words.map((word) => word.text)).toEqual(['alpha', 'beta', 'gamma']);
    const starts = [0.2, 0.9, 1.6];
    words.forEach((word, k) => {
      expect(word.startMs / 1000).toBeCloseTo(starts[k] ?? 0, 1);
      expect((word.endMs - word.startMs) / 1000).toBeCloseTo(0.4, 1);
    });
  });

  it('spreads words inside one stretch by syllables and length', () => {
    const words = estimateWordTimings('a wonderful', bursts([1], 0.1));
    const [short, long] = words;
    expect((long?.endMs ?? 0) - (long?.startMs ?? 0)).toBeGreaterThan(
      2 * ((short?.endMs ?? 0) - (short?.startMs ?? 0)),
    );
    expect(short?.endMs).toBe(long?.startMs);
  });

  it('uses the whole audio when it has no detectable sound', () => {
    const silent: PcmAudio = { sampleRate: 16000, samples: new Float32Array(16000) };
    const words = estimateWordTimings('one two', silent);
    expect(words[0]?.startMs).toBe(0);
    expect(words[1]?.endMs).toBe(1000);
  });

  it('reads the message out of common error bodies', () => {
    expect(serverMessage('{"error":{"message":"bad voice","type":"invalid_request_error"}}')).toBe(
      'bad voice',
    );
    expect(serverMessage('{"error":"plain"}')).toBe('plain');
    expect(serverMessage('{"detail":[{"msg":"too short"},{"msg":"no text"}]}')).toBe('too short; no text');
    expect(serverMessage('{"detail":"nope"}')).toBe('nope');
    expect(serverMessage('  upstream exploded \n')).toBe('upstream exploded');
  });
});

describe('OpenAISpeechEngine', () => {
  it('posts the OpenAI speech request and decodes the WAV answer', async () => {
    const audio = bursts([0.3, 0.35, 0.3, 0.45], 0.25);
    const server = await startServer((_request, response) => sendWav(response, audio));
    const engine = new OpenAISpeechEngine({
      baseUrl: `${server.url}/`,
      apiKey: 'sk-test',
      model: 'tts-1-hd',
      voice: 'nova',
    });
    expect(engine.describe()).toEqual({ name: OPENAI_ENGINE_NAME, builtIn: false });
    const progress: number[] = [];
    const text = 'Hello there, my friend!';
    const result = await engine.synthesize(text, {
      voice: PROFILE,
      onProgress: (fraction) => progress.push(fraction),
    });

    const [request] = server.requests;
    expect(server.requests.length).toBe(1);
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/v1/audio/speech');
    expect(request?.headers.authorization).toBe('Bearer sk-test');
    expect(request?.headers['content-type']).toContain('application/json');
    expect(JSON.parse(request?.body.toString('utf8') ?? '')).toEqual({
      model: 'tts-1-hd',
      input: text,
      voice: 'nova',
      response_format: 'wav',
      speed: 1.25,
    });

    expect(result.engine).toBe(OPENAI_ENGINE_NAME);
    expect(result.audio.sampleRate).toBe(24000);
    expect(result.audio.samples.length).toBe(audio.samples.length);
    expect(result.phonemes).toEqual([]);
    expectValidTimings(result, text);
    expect((result.words[0]?.startMs ?? 0) / 1000).toBeCloseTo(0.2, 1);
    expect((result.words[3]?.startMs ?? 0) / 1000).toBeCloseTo(1.85, 1);
    expect(progress[0]).toBe(0);
    expect(progress[progress.length - 1]).toBe(1);
  });

  it('sends no key and no speed unless configured or derivable, and a fixed speed wins', async () => {
    const server = await startServer((_request, response) => sendWav(response, bursts([0.3], 0.1)));
    await new OpenAISpeechEngine({ baseUrl: server.url }).synthesize('Hi.');
    await new OpenAISpeechEngine({ baseUrl: server.url, speed: 0.8 }).synthesize('Hi.', { voice: PROFILE });
    const [plain, fixed] = server.requests;
    expect(plain?.headers.authorization).toBeUndefined();
    expect(JSON.parse(plain?.body.toString('utf8') ?? '')).toEqual({
      model: 'tts-1',
      input: 'Hi.',
      voice: 'alloy',
      response_format: 'wav',
    });
    expect(JSON.parse(fixed?.body.toString('utf8') ?? '').speed).toBe(0.8);
  });

  it('maps a 5xx answer to a retryable ENGINE_UNAVAILABLE with the server message', async () => {
    const server = await startServer((_request, response) =>
      sendJson(response, 500, { error: { message: 'model exploded' } }),
    );
    const error = await rejection(new OpenAISpeechEngine({ baseUrl: server.url }).synthesize('Hi.'));
    expect(error.code).toBe('ENGINE_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('model exploded');
    expect(error.details).toMatchObject({ status: 500 });
  });

  it('maps a 4xx answer to NODE_INPUT_INVALID with the server message, but 429 stays retryable', async () => {
    let status = 400;
    const server = await startServer((_request, response) =>
      sendJson(response, status, { error: { message: `voice "x" does not exist (${status})` } }),
    );
    const engine = new OpenAISpeechEngine({ baseUrl: server.url });
    const invalid = await rejection(engine.synthesize('Hi.'));
    expect(invalid.code).toBe('NODE_INPUT_INVALID');
    expect(invalid.retryable).toBe(false);
    expect(invalid.message).toContain('voice "x" does not exist (400)');
    status = 429;
    const limited = await rejection(engine.synthesize('Hi.'));
    expect(limited.code).toBe('ENGINE_UNAVAILABLE');
    expect(limited.retryable).toBe(true);
  });

  it('times out a server that does not answer', async () => {
    const server = await startServer(() => undefined);
    const started = performance.now();
    const error = await rejection(
      new OpenAISpeechEngine({ baseUrl: server.url, timeoutMs: 300 }).synthesize('Hi.'),
    );
    expect(error.code).toBe('ENGINE_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('did not answer within 300 ms');
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('reports a refused connection as a retryable ENGINE_UNAVAILABLE', async () => {
    const error = await rejection(new OpenAISpeechEngine({ baseUrl: await deadUrl() }).synthesize('Hi.'));
    expect(error.code).toBe('ENGINE_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('keeps the API key out of connection errors', async () => {
    // A key that also appears in the failure text ("connect ECONNREFUSED 127.0.0.1:<port>") shows the redaction.
    const error = await rejection(
      new OpenAISpeechEngine({ baseUrl: await deadUrl(), apiKey: '127.0.0.1' }).synthesize('Hi.'),
    );
    expect(error.message).toContain('ECONNREFUSED [redacted]');
    const cloning = await rejection(
      new CloningSpeechEngine({ baseUrl: await deadUrl(), apiKey: '127.0.0.1' }).synthesize('Hi.', {
        reference: { audio: bursts([0.5], 0.2, 16000), transcript: 'Hello.' },
      }),
    );
    expect(cloning.message).toContain('ECONNREFUSED [redacted]');
  });

  it("cancels with NODE_CANCELLED when the caller's signal aborts mid-request", async () => {
    const server = await startServer(() => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await rejection(
      new OpenAISpeechEngine({ baseUrl: server.url }).synthesize('Hi.', { signal: controller.signal }),
    );
    expect(error.code).toBe('NODE_CANCELLED');
  });

  it('rejects a body that is not a WAV, empty text, and a bad base URL', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'audio/mpeg' });
      response.end(Buffer.from('ID3 this is an mp3'));
    });
    const engine = new OpenAISpeechEngine({ baseUrl: server.url });
    const notWav = await rejection(engine.synthesize('Hi.'));
    expect(notWav.code).toBe('ENGINE_UNAVAILABLE');
    expect(notWav.retryable).toBe(false);
    expect((await rejection(engine.synthesize('  '))).code).toBe('NODE_INPUT_INVALID');
    expect(server.requests.length).toBe(1);
    expect(() => new OpenAISpeechEngine({ baseUrl: 'ftp://example' })).toThrowError(MySpinBotError);
    expect(() => new OpenAISpeechEngine({ baseUrl: 'not a url' })).toThrowError(MySpinBotError);
  });
});

describe('CloningSpeechEngine', () => {
  const reference = bursts([0.5, 0.5], 0.2, 16000);

  it('posts text, reference transcript and reference WAV as multipart and decodes the answer', async () => {
    const server = await startServer((_request, response) => sendWav(response, bursts([0.3, 0.3, 0.5], 0.3)));
    const engine = new CloningSpeechEngine({ baseUrl: server.url, apiKey: 'clone-key' });
    expect(engine.describe()).toEqual({ name: CLONING_ENGINE_NAME, builtIn: false });
    const text = 'Say it again.';
    const result = await engine.synthesize(text, {
      voice: PROFILE,
      reference: { audio: reference, transcript: 'Testing one two.' },
      language: 'en',
    });

    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/v1/clone');
    expect(request?.headers.authorization).toBe('Bearer clone-key');
    const contentType = request?.headers['content-type'] ?? '';
    expect(contentType).toMatch(/^multipart\/form-data; boundary=/);
    const form = await new Request('http://test/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: request?.body,
    }).formData();
    expect(form.get('text')).toBe(text);
    expect(form.get('reference_text')).toBe('Testing one two.');
    expect(form.get('language')).toBe('en');
    const file = form.get('reference_audio');
    expect(file).toBeInstanceOf(Blob);
    if (!(file instanceof File)) throw new Error('reference_audio is not a file');
    expect(file.name).toBe('reference.wav');
    expect(file.type).toBe('audio/wav');
    const sent = decodeWav(new Uint8Array(await file.arrayBuffer()));
    expect(sent.sampleRate).toBe(16000);
    expect(sent.samples.length).toBe(reference.samples.length);

    expect(result.engine).toBe(CLONING_ENGINE_NAME);
    expect(result.phonemes).toEqual([]);
    expectValidTimings(result, text);
    expect((result.words[2]?.startMs ?? 0) / 1000).toBeCloseTo(1.4, 1);
  });

  it("falls back to the profile's transcript and omits language and key when not given", async () => {
    const server = await startServer((_request, response) => sendWav(response, bursts([0.4], 0.2)));
    await new CloningSpeechEngine({ baseUrl: server.url }).synthesize('Fine.', {
      voice: PROFILE,
      reference: { audio: reference },
    });
    const [request] = server.requests;
    expect(request?.headers.authorization).toBeUndefined();
    const form = await new Request('http://test/', {
      method: 'POST',
      headers: { 'content-type': request?.headers['content-type'] ?? '' },
      body: request?.body,
    }).formData();
    expect(form.get('reference_text')).toBe(PROFILE.transcript);
    expect(form.has('language')).toBe(false);
  });

  it('refuses to call without a reference clip or its transcript', async () => {
    const server = await startServer((_request, response) => sendWav(response, bursts([0.4], 0.2)));
    const engine = new CloningSpeechEngine({ baseUrl: server.url });
    const noClip = await rejection(engine.synthesize('Hello.', { voice: PROFILE }));
    expect(noClip.code).toBe('NODE_INPUT_INVALID');
    const noTranscript = await rejection(
      engine.synthesize('Hello.', {
        voice: { ...PROFILE, transcript: null },
        reference: { audio: reference },
      }),
    );
    expect(noTranscript.code).toBe('NODE_INPUT_INVALID');
    expect(noTranscript.message).toContain('transcript');
    expect(server.requests.length).toBe(0);
  });

  it('maps server errors, timeouts and refused connections like the OpenAI adapter', async () => {
    let status = 503;
    const server = await startServer((_request, response) => {
      if (status === 503) {
        response.writeHead(503, { 'content-type': 'text/plain' });
        response.end('GPU busy, try later');
      } else sendJson(response, 422, { detail: [{ msg: 'reference audio too short' }] });
    });
    const engine = new CloningSpeechEngine({ baseUrl: server.url });
    const options = { reference: { audio: reference, transcript: 'Testing.' } };
    const busy = await rejection(engine.synthesize('Hello.', options));
    expect(busy.code).toBe('ENGINE_UNAVAILABLE');
    expect(busy.retryable).toBe(true);
    expect(busy.message).toContain('GPU busy, try later');
    status = 422;
    const invalid = await rejection(engine.synthesize('Hello.', options));
    expect(invalid.code).toBe('NODE_INPUT_INVALID');
    expect(invalid.message).toContain('reference audio too short');

    const silent = await startServer(() => undefined);
    const timedOut = await rejection(
      new CloningSpeechEngine({ baseUrl: silent.url, timeoutMs: 200 }).synthesize('Hello.', options),
    );
    expect(timedOut.code).toBe('ENGINE_UNAVAILABLE');
    expect(timedOut.message).toContain('did not answer');

    const refused = await rejection(
      new CloningSpeechEngine({ baseUrl: await deadUrl() }).synthesize('Hello.', options),
    );
    expect(refused.code).toBe('ENGINE_UNAVAILABLE');
    expect(refused.retryable).toBe(true);
  });
});
