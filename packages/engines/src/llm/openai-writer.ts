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
 * retried once as described in chat.ts (through chat-writer.ts); HTTP failures map as in http.ts. A
 * baseUrl ending in "/v1" is accepted too.
 */
import { field, protocolError } from './adapter-config.js';
import { type ChatAnswer, type ChatMessage, SCRIPT_JSON_SCHEMA, SCRIPT_SCHEMA_NAME } from './chat.js';
import { ChatScriptWriter, type ChatScriptWriterConfig } from './chat-writer.js';

export const OPENAI_CHAT_WRITER_NAME = 'openai-chat';

export interface OpenAIChatScriptWriterConfig extends ChatScriptWriterConfig {
  /** Server root, e.g. "https://api.openai.com" or "http://127.0.0.1:8000". */
  baseUrl: string;
  /** Sent as a bearer token when set. */
  apiKey?: string | null;
}

export class OpenAIChatScriptWriter extends ChatScriptWriter {
  private readonly apiKey: string | null;

  constructor(config: OpenAIChatScriptWriterConfig) {
    super(OPENAI_CHAT_WRITER_NAME, config, { prefix: '/v1', path: '/v1/chat/completions' });
    this.apiKey = config.apiKey === undefined || config.apiKey === '' ? null : config.apiKey;
  }

  protected async ask(messages: ChatMessage[], signal: AbortSignal | undefined): Promise<ChatAnswer> {
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
    const answer = await this.post(body, signal, this.apiKey);
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
