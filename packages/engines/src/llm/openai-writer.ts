/**
 * Adapter for any OpenAI-compatible chat-completions server (OpenAI, vLLM, llama.cpp server, LM Studio,
 * Ollama's /v1, ...):
 *   POST {baseUrl}/v1/chat/completions
 *   Authorization: Bearer <apiKey>            (only when a key is configured; never logged or echoed)
 *   {"model", "messages", "stream": false, "temperature"?,
 *    "response_format": {"type": "json_schema",
 *                        "json_schema": {"name": "talking_portrait_script", "strict": true, "schema": ...}}}
 *   -> {"choices": [{"message": {"role": "assistant", "content": "<JSON text>" | null, "refusal"?: string | null},
 *                    "finish_reason": "stop" | "length" | ...}], ...}
 * A non-empty message.refusal is a refusal (NODE_INPUT_INVALID, no retry); the content is checked and
 * retried once as described in chat.ts; HTTP failures map as in http.ts. A baseUrl ending in "/v1" is
 * accepted too.
 */
import type { EngineCallOptions } from '../types.js';
import {
  adapterBaseUrl,
  adapterModel,
  adapterTemperature,
  adapterTimeout,
  field,
  protocolError,
} from './adapter-config.js';
import { throwIfScriptAborted } from './cancel.js';
import {
  type ChatAnswer,
  type ChatMessage,
  SCRIPT_JSON_SCHEMA,
  SCRIPT_SCHEMA_NAME,
  writeWithModel,
} from './chat.js';
import { postJson } from './http.js';
import {
  resolveRequest,
  type Script,
  type ScriptRequest,
  type ScriptWriter,
  type ScriptWriterDescription,
} from './types.js';

export const OPENAI_CHAT_WRITER_NAME = 'openai-chat';

export interface OpenAIChatScriptWriterConfig {
  /** Server root, e.g. "https://api.openai.com" or "http://127.0.0.1:8000". */
  baseUrl: string;
  model: string;
  /** Sent as a bearer token when set. */
  apiKey?: string | null;
  /** Deadline of each request in ms (default 120 000). */
  timeoutMs?: number;
  /** Sampling temperature 0-2; the server's default when absent. */
  temperature?: number;
}

export class OpenAIChatScriptWriter implements ScriptWriter {
  private readonly url: string;
  private readonly model: string;
  private readonly apiKey: string | null;
  private readonly timeoutMs: number;
  private readonly temperature: number | undefined;

  constructor(config: OpenAIChatScriptWriterConfig) {
    this.url = `${adapterBaseUrl(config.baseUrl, OPENAI_CHAT_WRITER_NAME, '/v1')}/v1/chat/completions`;
    this.model = adapterModel(config.model, OPENAI_CHAT_WRITER_NAME);
    this.apiKey = config.apiKey === undefined || config.apiKey === '' ? null : config.apiKey;
    this.timeoutMs = adapterTimeout(config.timeoutMs, OPENAI_CHAT_WRITER_NAME);
    this.temperature = adapterTemperature(config.temperature, OPENAI_CHAT_WRITER_NAME);
  }

  describe(): ScriptWriterDescription {
    return { name: OPENAI_CHAT_WRITER_NAME, builtIn: false, model: this.model };
  }

  async write(request: ScriptRequest, options: EngineCallOptions = {}): Promise<Script> {
    throwIfScriptAborted(options.signal);
    return writeWithModel({
      writer: OPENAI_CHAT_WRITER_NAME,
      model: this.model,
      request: resolveRequest(request),
      options,
      ask: (messages) => this.ask(messages, options.signal),
    });
  }

  private async ask(messages: ChatMessage[], signal: AbortSignal | undefined): Promise<ChatAnswer> {
    const body: Record<string, unknown> = {
      model: this.model,
      messages,
      stream: false,
      response_format: {
        type: 'json_schema',
        json_schema: { name: SCRIPT_SCHEMA_NAME, strict: true, schema: SCRIPT_JSON_SCHEMA },
      },
    };
    if (this.temperature !== undefined) body.temperature = this.temperature;
    const answer = await postJson(this.url, body, {
      writer: OPENAI_CHAT_WRITER_NAME,
      timeoutMs: this.timeoutMs,
      signal,
      apiKey: this.apiKey,
    });
    const choices = field(answer, 'choices');
    const choice: unknown = Array.isArray(choices) ? choices[0] : undefined;
    const message = field(choice, 'message');
    if (typeof message !== 'object' || message === null) {
      throw protocolError(OPENAI_CHAT_WRITER_NAME, this.url, 'choices[0].message');
    }
    const refusal = field(message, 'refusal');
    if (typeof refusal === 'string' && refusal.trim() !== '')
      return { kind: 'refusal', refusal: refusal.trim() };
    const content = field(message, 'content');
    return {
      kind: 'content',
      content: typeof content === 'string' ? content : '',
      truncated: field(choice, 'finish_reason') === 'length',
    };
  }
}
