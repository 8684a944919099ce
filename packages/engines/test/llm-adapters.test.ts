/**
 * The LLM adapters against small local servers that answer like Ollama (/api/chat) and like an
 * OpenAI-compatible server (/v1/chat/completions).
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MySpinBotError } from '@myspinbot/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { SCRIPT_JSON_SCHEMA, SCRIPT_SCHEMA_NAME } from '../src/llm/chat.js';
import { OLLAMA_WRITER_NAME, OllamaScriptWriter } from '../src/llm/ollama-writer.js';
import { OPENAI_CHAT_WRITER_NAME, OpenAIChatScriptWriter } from '../src/llm/openai-writer.js';

interface Recorded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body. */
  json: Record<string, unknown>;
}

/** Answers one request; requests beyond the list get the last handler. */
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

async function startServer(...handlers: Handler[]): Promise<TestServer> {
  const requests: Recorded[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const recorded: Recorded = {
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
      };
      requests.push(recorded);
      const handler = handlers[Math.min(requests.length, handlers.length) - 1];
      handler?.(recorded, response);
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

const GOOD = {
  title: 'A Day in Rome',
  stage: 'A smiling guide in front of the Colosseum',
  narration: 'Hello! I am **Marco**, your guide. Today we walk through Rome 🏛️ together.',
};
const TIDY_NARRATION = 'Hello! I am Marco, your guide. Today we walk through Rome together.';

/** Never answers: for timeouts and aborts. */
const hang: Handler = () => undefined;

function messagesOf(request: Recorded | undefined): { role: string; content: string }[] {
  expect(Array.isArray(request?.json.messages)).toBe(true);
  return request?.json.messages as { role: string; content: string }[];
}

describe('OllamaScriptWriter', () => {
  const ollamaAnswer =
    (content: string, doneReason = 'stop'): Handler =>
    (_request, response) =>
      sendJson(response, 200, {
        model: 'llama3.2',
        created_at: '2024-12-09T16:45:04.380923Z',
        message: { role: 'assistant', content },
        done: true,
        done_reason: doneReason,
      });

  it('posts a non-streaming chat with the schema as format and returns the tidied script', async () => {
    const server = await startServer(ollamaAnswer(JSON.stringify(GOOD)));
    const writer = new OllamaScriptWriter({ baseUrl: `${server.url}/`, model: 'llama3.2', temperature: 0.3 });
    const progress: number[] = [];
    const script = await writer.write(
      { prompt: 'Introduce yourself as a guide of Rome', maxWords: 60, language: 'it', style: 'warm' },
      { onProgress: (fraction) => progress.push(fraction) },
    );
    expect(script).toEqual({
      title: 'A Day in Rome',
      stage: 'A smiling guide in front of the Colosseum.',
      narration: TIDY_NARRATION,
      engine: OLLAMA_WRITER_NAME,
      model: 'llama3.2',
    });
    expect(progress).toEqual([0, 1]);
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/api/chat');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.json.model).toBe('llama3.2');
    expect(request?.json.stream).toBe(false);
    expect(request?.json.format).toEqual(SCRIPT_JSON_SCHEMA);
    expect(request?.json.options).toEqual({ temperature: 0.3 });
    const messages = messagesOf(request);
    expect(messages.map((message) => message.role)).toEqual(['system', 'user']);
    expect(messages[0]?.content).toContain('at most 60 words');
    expect(messages[0]?.content).toContain('Italian');
    expect(messages[0]?.content).toContain('Tone and style: warm.');
    expect(messages[1]?.content).toBe('Introduce yourself as a guide of Rome');
    expect(writer.describe()).toEqual({ name: 'ollama', builtIn: false, model: 'llama3.2' });
  });

  it('accepts a base URL ending in /api and leaves options out without a temperature', async () => {
    const server = await startServer(ollamaAnswer(JSON.stringify(GOOD)));
    await new OllamaScriptWriter({ baseUrl: `${server.url}/api`, model: 'm' }).write({ prompt: 'Hi' });
    expect(server.requests[0]?.path).toBe('/api/chat');
    expect(server.requests[0]?.json).not.toHaveProperty('options');
  });

  it('retries once with a corrective message after invalid JSON', async () => {
    const server = await startServer(
      ollamaAnswer('Sure! Here is your script: {"title": '),
      ollamaAnswer(JSON.stringify(GOOD)),
    );
    const progress: string[] = [];
    const script = await new OllamaScriptWriter({ baseUrl: server.url, model: 'm' }).write(
      { prompt: 'Tell me about Rome' },
      { onProgress: (_fraction, message) => progress.push(message ?? '') },
    );
    expect(script.narration).toBe(TIDY_NARRATION);
    expect(server.requests).toHaveLength(2);
    const retry = messagesOf(server.requests[1]);
    expect(retry.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(retry[2]?.content).toBe('Sure! Here is your script: {"title": ');
    expect(retry[3]?.content).toContain('not valid JSON');
    expect(progress.some((message) => message.includes('again'))).toBe(true);
  });

  it('accepts an answer inside a ```json fence', async () => {
    const server = await startServer(ollamaAnswer(`\`\`\`json\n${JSON.stringify(GOOD)}\n\`\`\``));
    const script = await new OllamaScriptWriter({ baseUrl: server.url, model: 'm' }).write({ prompt: 'Hi' });
    expect(script.narration).toBe(TIDY_NARRATION);
    expect(server.requests).toHaveLength(1);
  });

  it('fails with NODE_INPUT_INVALID naming the problem after two unusable answers', async () => {
    const server = await startServer(ollamaAnswer(JSON.stringify({ title: 'T', stage: 'S' })));
    const error = await rejection(
      new OllamaScriptWriter({ baseUrl: server.url, model: 'm' }).write({ prompt: 'Hi' }),
    );
    expect(error.code).toBe('NODE_INPUT_INVALID');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('"narration" is missing or not a string');
    expect(error.details).toMatchObject({ attempts: 2 });
    expect(server.requests).toHaveLength(2);
  });

  it('refuses a narration longer than 1.5 x maxWords, then accepts a shorter one', async () => {
    const long = { ...GOOD, narration: Array.from({ length: 16 }, () => 'word').join(' ') };
    const server = await startServer(ollamaAnswer(JSON.stringify(long)), ollamaAnswer(JSON.stringify(GOOD)));
    const script = await new OllamaScriptWriter({ baseUrl: server.url, model: 'm' }).write({
      prompt: 'Hi',
      maxWords: 10,
    });
    expect(script.narration).toBe('Hello! I am Marco, your guide. Today we walk through Rome together.');
    expect(messagesOf(server.requests[1])[3]?.content).toContain('16 words, more than 15');
  });

  it('says so when the answer was cut off at the token limit', async () => {
    const server = await startServer(ollamaAnswer('{"title": "A', 'length'));
    const error = await rejection(
      new OllamaScriptWriter({ baseUrl: server.url, model: 'm' }).write({ prompt: 'Hi' }),
    );
    expect(error.code).toBe('NODE_INPUT_INVALID');
    expect(error.message).toContain('cut off');
  });

  it('maps HTTP 500 to a retryable ENGINE_UNAVAILABLE with the server message', async () => {
    const server = await startServer((_request, response) =>
      sendJson(response, 500, { error: 'model runner crashed' }),
    );
    const error = await rejection(
      new OllamaScriptWriter({ baseUrl: server.url, model: 'm' }).write({ prompt: 'Hi' }),
    );
    expect(error.code).toBe('ENGINE_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('model runner crashed');
    expect(server.requests).toHaveLength(1);
  });

  it('maps an unknown model (404) to CONFIG_INVALID', async () => {
    const server = await startServer((_request, response) =>
      sendJson(response, 404, { error: "model 'nope' not found, try pulling it first" }),
    );
    const error = await rejection(
      new OllamaScriptWriter({ baseUrl: server.url, model: 'nope' }).write({ prompt: 'Hi' }),
    );
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain("model 'nope' not found");
  });

  it('maps a 2xx body that is not JSON, or lacks message.content, to a non-retryable ENGINE_UNAVAILABLE', async () => {
    const html = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html>hello</html>');
    });
    const notJson = await rejection(
      new OllamaScriptWriter({ baseUrl: html.url, model: 'm' }).write({ prompt: 'Hi' }),
    );
    expect(notJson.code).toBe('ENGINE_UNAVAILABLE');
    expect(notJson.retryable).toBe(false);
    const empty = await startServer((_request, response) => sendJson(response, 200, { done: true }));
    const noContent = await rejection(
      new OllamaScriptWriter({ baseUrl: empty.url, model: 'm' }).write({ prompt: 'Hi' }),
    );
    expect(noContent.code).toBe('ENGINE_UNAVAILABLE');
    expect(noContent.message).toContain('message.content');
  });

  it('times out with a retryable ENGINE_UNAVAILABLE', async () => {
    const server = await startServer(hang);
    const writer = new OllamaScriptWriter({ baseUrl: server.url, model: 'm', timeoutMs: 150 });
    const started = Date.now();
    const error = await rejection(writer.write({ prompt: 'Hi' }));
    expect(error.code).toBe('ENGINE_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('did not answer within 150 ms');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('maps a refused connection to a retryable ENGINE_UNAVAILABLE', async () => {
    const writer = new OllamaScriptWriter({ baseUrl: await deadUrl(), model: 'm' });
    const error = await rejection(writer.write({ prompt: 'Hi' }));
    expect(error.code).toBe('ENGINE_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('could not be reached');
  });

  it('stops with NODE_CANCELLED when the caller aborts, before or during the request', async () => {
    const server = await startServer(hang);
    const writer = new OllamaScriptWriter({ baseUrl: server.url, model: 'm' });
    const before = new AbortController();
    before.abort();
    expect((await rejection(writer.write({ prompt: 'Hi' }, { signal: before.signal }))).code).toBe(
      'NODE_CANCELLED',
    );
    expect(server.requests).toHaveLength(0);
    const during = new AbortController();
    const pending = writer.write({ prompt: 'Hi' }, { signal: during.signal });
    setTimeout(() => during.abort(new Error('user pressed stop')), 50);
    const error = await rejection(pending);
    expect(error.code).toBe('NODE_CANCELLED');
    expect(error.message).toContain('user pressed stop');
  });

  it('rejects an empty prompt without calling the server', async () => {
    const server = await startServer(ollamaAnswer(JSON.stringify(GOOD)));
    const error = await rejection(
      new OllamaScriptWriter({ baseUrl: server.url, model: 'm' }).write({ prompt: ' ' }),
    );
    expect(error.code).toBe('NODE_INPUT_INVALID');
    expect(server.requests).toHaveLength(0);
  });
});

describe('OpenAIChatScriptWriter', () => {
  const KEY = 'sk-test-secret-4f9a2c';

  const completion =
    (message: Record<string, unknown>, finishReason = 'stop'): Handler =>
    (_request, response) =>
      sendJson(response, 200, {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1_700_000_000,
        model: 'gpt-test',
        choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finishReason }],
        usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 },
      });
  const content = (value: unknown): Handler => completion({ content: JSON.stringify(value), refusal: null });

  it('posts chat completions with a strict json_schema response format and a bearer key', async () => {
    const server = await startServer(content(GOOD));
    const writer = new OpenAIChatScriptWriter({ baseUrl: server.url, model: 'gpt-test', apiKey: KEY });
    const script = await writer.write({ prompt: 'Introduce yourself as a guide of Rome' });
    expect(script).toEqual({
      title: 'A Day in Rome',
      stage: 'A smiling guide in front of the Colosseum.',
      narration: TIDY_NARRATION,
      engine: OPENAI_CHAT_WRITER_NAME,
      model: 'gpt-test',
    });
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.json.model).toBe('gpt-test');
    expect(request?.json.stream).toBe(false);
    expect(request?.json.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: SCRIPT_SCHEMA_NAME, strict: true, schema: SCRIPT_JSON_SCHEMA },
    });
    expect(SCRIPT_JSON_SCHEMA.additionalProperties).toBe(false);
    expect([...SCRIPT_JSON_SCHEMA.required].sort()).toEqual(
      Object.keys(SCRIPT_JSON_SCHEMA.properties).sort(),
    );
    const messages = messagesOf(request);
    expect(messages.map((message) => message.role)).toEqual(['system', 'user']);
    expect(messages[0]?.content).toContain('at most 120 words');
    expect(JSON.stringify(writer.describe())).not.toContain(KEY);
  });

  it('sends no Authorization header without a key and accepts a base URL ending in /v1', async () => {
    const server = await startServer(content(GOOD));
    await new OpenAIChatScriptWriter({ baseUrl: `${server.url}/v1/`, model: 'local' }).write({
      prompt: 'Hi',
    });
    expect(server.requests[0]?.path).toBe('/v1/chat/completions');
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('retries once after invalid JSON content, then succeeds', async () => {
    const server = await startServer(
      completion({ content: 'not json at all', refusal: null }),
      content(GOOD),
    );
    const script = await new OpenAIChatScriptWriter({ baseUrl: server.url, model: 'm', apiKey: KEY }).write({
      prompt: 'Hi',
    });
    expect(script.narration).toBe(TIDY_NARRATION);
    const retry = messagesOf(server.requests[1]);
    expect(retry.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(retry[3]?.content).toContain('not valid JSON');
    expect(server.requests[1]?.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('fails with NODE_INPUT_INVALID after two unusable answers (empty content, then an empty narration)', async () => {
    const server = await startServer(
      completion({ content: null, refusal: null }),
      content({ ...GOOD, narration: ' 🎉 ' }),
    );
    const error = await rejection(
      new OpenAIChatScriptWriter({ baseUrl: server.url, model: 'm' }).write({ prompt: 'Hi' }),
    );
    expect(error.code).toBe('NODE_INPUT_INVALID');
    expect(error.message).toContain('the narration is empty');
    expect(messagesOf(server.requests[1])[3]?.content).toContain('the answer is empty');
  });

  it('turns a refusal into NODE_INPUT_INVALID without retrying', async () => {
    const server = await startServer(
      completion({ content: null, refusal: "I'm sorry, I can't help with that." }),
    );
    const error = await rejection(
      new OpenAIChatScriptWriter({ baseUrl: server.url, model: 'm' }).write({ prompt: 'Hi' }),
    );
    expect(error.code).toBe('NODE_INPUT_INVALID');
    expect(error.message).toContain("refused the prompt: I'm sorry, I can't help with that.");
    expect(server.requests).toHaveLength(1);
  });

  it('maps 500 and 429 to retryable ENGINE_UNAVAILABLE and 400 to NODE_INPUT_INVALID', async () => {
    const failing = await startServer(
      (_request, response) =>
        sendJson(response, 500, { error: { message: 'The server had an error', type: 'server_error' } }),
      (_request, response) =>
        sendJson(response, 429, { error: { message: 'Rate limit reached', type: 'requests' } }),
      (_request, response) =>
        sendJson(response, 400, {
          error: { message: "Invalid schema for response_format 'x'", type: 'invalid_request_error' },
        }),
    );
    const writer = new OpenAIChatScriptWriter({ baseUrl: failing.url, model: 'm' });
    const serverError = await rejection(writer.write({ prompt: 'Hi' }));
    expect(serverError.code).toBe('ENGINE_UNAVAILABLE');
    expect(serverError.retryable).toBe(true);
    expect(serverError.message).toContain('The server had an error');
    const rateLimited = await rejection(writer.write({ prompt: 'Hi' }));
    expect(rateLimited.code).toBe('ENGINE_UNAVAILABLE');
    expect(rateLimited.retryable).toBe(true);
    expect(rateLimited.message).toContain('HTTP 429');
    const badRequest = await rejection(writer.write({ prompt: 'Hi' }));
    expect(badRequest.code).toBe('NODE_INPUT_INVALID');
    expect(badRequest.message).toContain('Invalid schema');
  });

  it('maps 401 to CONFIG_INVALID and never echoes the key, even when the server does', async () => {
    const server = await startServer((request, response) =>
      sendJson(response, 401, {
        error: {
          message: `Incorrect API key provided: ${request.headers.authorization?.replace('Bearer ', '') ?? ''}.`,
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      }),
    );
    const error = await rejection(
      new OpenAIChatScriptWriter({ baseUrl: server.url, model: 'm', apiKey: KEY }).write({ prompt: 'Hi' }),
    );
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('Incorrect API key provided: [redacted]');
    expect(error.message).not.toContain(KEY);
    expect(JSON.stringify(error.details)).not.toContain(KEY);
    expect(JSON.stringify(error.toNodeError())).not.toContain(KEY);
  });

  it('times out, and maps a refused connection, to retryable ENGINE_UNAVAILABLE without the key', async () => {
    const server = await startServer(hang);
    const slow = await rejection(
      new OpenAIChatScriptWriter({ baseUrl: server.url, model: 'm', apiKey: KEY, timeoutMs: 150 }).write({
        prompt: 'Hi',
      }),
    );
    expect(slow.code).toBe('ENGINE_UNAVAILABLE');
    expect(slow.retryable).toBe(true);
    expect(slow.message).toContain('did not answer within 150 ms');
    const refused = await rejection(
      new OpenAIChatScriptWriter({ baseUrl: await deadUrl(), model: 'm', apiKey: KEY }).write({
        prompt: 'Hi',
      }),
    );
    expect(refused.code).toBe('ENGINE_UNAVAILABLE');
    expect(refused.retryable).toBe(true);
    for (const error of [slow, refused])
      expect(`${error.message}${JSON.stringify(error.details)}`).not.toContain(KEY);
  });

  it('stops with NODE_CANCELLED when the caller aborts during the request', async () => {
    const server = await startServer(hang);
    const controller = new AbortController();
    const pending = new OpenAIChatScriptWriter({ baseUrl: server.url, model: 'm' }).write(
      { prompt: 'Hi' },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 50);
    const error = await rejection(pending);
    expect(error.code).toBe('NODE_CANCELLED');
    expect(error.retryable).toBe(false);
  });

  it('rejects a bad configuration with CONFIG_INVALID naming the field', () => {
    expect(() => new OpenAIChatScriptWriter({ baseUrl: 'not a url', model: 'm' })).toThrow(/baseUrl/);
    expect(() => new OpenAIChatScriptWriter({ baseUrl: 'http://h', model: ' ' })).toThrow(/"model"/);
    expect(() => new OpenAIChatScriptWriter({ baseUrl: 'http://h', model: 'm', temperature: 5 })).toThrow(
      /"temperature"/,
    );
  });
});
