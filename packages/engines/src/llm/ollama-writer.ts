/**
 * Adapter for Ollama's chat API:
 *   POST {baseUrl}/api/chat
 *   {"model", "messages": [system, user(, assistant, user)], "stream": false,
 *    "format": <JSON schema of {title, stage, narration}>, "options"?: {"temperature"}}
 *   -> {"message": {"role": "assistant", "content": "<JSON text>"}, "done": true, "done_reason": "stop"|"length", ...}
 * The content is checked and retried once as described in chat.ts; HTTP failures map as in http.ts.
 * A baseUrl ending in "/api" is accepted too.
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
import { type ChatAnswer, type ChatMessage, SCRIPT_JSON_SCHEMA, writeWithModel } from './chat.js';
import { postJson } from './http.js';
import {
  resolveRequest,
  type Script,
  type ScriptRequest,
  type ScriptWriter,
  type ScriptWriterDescription,
} from './types.js';

export const OLLAMA_WRITER_NAME = 'ollama';

export interface OllamaScriptWriterConfig {
  /** Server root, e.g. "http://127.0.0.1:11434". */
  baseUrl: string;
  /** Model tag, e.g. "llama3.2". */
  model: string;
  /** Deadline of each request in ms (default 120 000). */
  timeoutMs?: number;
  /** Sampling temperature 0-2; the model's default when absent. */
  temperature?: number;
}

export class OllamaScriptWriter implements ScriptWriter {
  private readonly url: string;
  private readonly model: string;
  private readonly timeoutMs: number;
  private readonly temperature: number | undefined;

  constructor(config: OllamaScriptWriterConfig) {
    this.url = `${adapterBaseUrl(config.baseUrl, OLLAMA_WRITER_NAME, '/api')}/api/chat`;
    this.model = adapterModel(config.model, OLLAMA_WRITER_NAME);
    this.timeoutMs = adapterTimeout(config.timeoutMs, OLLAMA_WRITER_NAME);
    this.temperature = adapterTemperature(config.temperature, OLLAMA_WRITER_NAME);
  }

  describe(): ScriptWriterDescription {
    return { name: OLLAMA_WRITER_NAME, builtIn: false, model: this.model };
  }

  async write(request: ScriptRequest, options: EngineCallOptions = {}): Promise<Script> {
    throwIfScriptAborted(options.signal);
    return writeWithModel({
      writer: OLLAMA_WRITER_NAME,
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
      format: SCRIPT_JSON_SCHEMA,
    };
    if (this.temperature !== undefined) body.options = { temperature: this.temperature };
    const answer = await postJson(this.url, body, {
      writer: OLLAMA_WRITER_NAME,
      timeoutMs: this.timeoutMs,
      signal,
    });
    const content = field(field(answer, 'message'), 'content');
    if (typeof content !== 'string') throw protocolError(OLLAMA_WRITER_NAME, this.url, 'message.content');
    return { kind: 'content', content, truncated: field(answer, 'done_reason') === 'length' };
  }
}
