/**
 * What the chat-model script writers (Ollama, OpenAI-compatible) share: the checked settings, the
 * description, and write() = the ask -> check -> (one corrective retry) loop of chat.ts around the
 * adapter's own ask(), which only builds its request and reads its answer.
 */
import type { EngineCallOptions } from '../types.js';
import { adapterBaseUrl, adapterModel, adapterTemperature, adapterTimeout } from './adapter-config.js';
import { throwIfScriptAborted } from './cancel.js';
import { type ChatAnswer, type ChatMessage, writeWithModel } from './chat.js';
import { postJson } from './http.js';
import {
  resolveRequest,
  type Script,
  type ScriptRequest,
  type ScriptWriter,
  type ScriptWriterDescription,
} from './types.js';

export interface ChatScriptWriterConfig {
  /** Server root; a root ending in the API's prefix ("/api", "/v1") is accepted too. */
  baseUrl: string;
  model: string;
  /** Deadline of each request in ms (default 120 000). */
  timeoutMs?: number;
  /** Sampling temperature 0-2; the model's default when absent. */
  temperature?: number;
}

/** Where a chat API lives under the server root, e.g. { prefix: "/v1", path: "/v1/chat/completions" }. */
export interface ChatEndpoint {
  prefix: string;
  path: string;
}

export abstract class ChatScriptWriter implements ScriptWriter {
  protected readonly url: string;
  protected readonly model: string;
  protected readonly timeoutMs: number;
  protected readonly temperature: number | undefined;

  protected constructor(
    private readonly name: string,
    config: ChatScriptWriterConfig,
    endpoint: ChatEndpoint,
  ) {
    this.url = `${adapterBaseUrl(config.baseUrl, name, endpoint.prefix)}${endpoint.path}`;
    this.model = adapterModel(config.model, name);
    this.timeoutMs = adapterTimeout(config.timeoutMs, name);
    this.temperature = adapterTemperature(config.temperature, name);
  }

  describe(): ScriptWriterDescription {
    return { name: this.name, builtIn: false, model: this.model };
  }

  async write(request: ScriptRequest, options: EngineCallOptions = {}): Promise<Script> {
    throwIfScriptAborted(options.signal);
    return writeWithModel({
      writer: this.name,
      model: this.model,
      request: resolveRequest(request),
      options,
      ask: (messages) => this.ask(messages, options.signal),
    });
  }

  /** Sends the conversation and returns the model's answer (HTTP failures throw MySpinBotErrors). */
  protected abstract ask(messages: ChatMessage[], signal: AbortSignal | undefined): Promise<ChatAnswer>;

  /** POSTs a JSON body to the chat endpoint and returns the parsed answer (see http.ts). */
  protected post(body: unknown, signal: AbortSignal | undefined, apiKey?: string | null): Promise<unknown> {
    return postJson(this.url, body, { writer: this.name, timeoutMs: this.timeoutMs, signal, apiKey });
  }
}
