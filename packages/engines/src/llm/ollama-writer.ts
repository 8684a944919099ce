/**
 * Adapter for Ollama's chat API:
 *   POST {baseUrl}/api/chat
 *   {"model", "messages": [system, user(, assistant, user)], "stream": false,
 *    "format": <JSON schema of {title, stage, narration}>, "options"?: {"temperature"}}
 *   -> {"message": {"role": "assistant", "content": "<JSON text>"}, "done": true, "done_reason": "stop"|"length", ...}
 * The content is checked and retried once as described in chat.ts (through chat-writer.ts); HTTP failures
 * map as in http.ts.
 * A baseUrl ending in "/api" is accepted too.
 */
import { field, protocolError } from './adapter-config.js';
import { type ChatAnswer, type ChatMessage, SCRIPT_JSON_SCHEMA } from './chat.js';
import { ChatScriptWriter, type ChatScriptWriterConfig } from './chat-writer.js';

export const OLLAMA_WRITER_NAME = 'ollama';

export interface OllamaScriptWriterConfig extends ChatScriptWriterConfig {
  /** Server root, e.g. "http://127.0.0.1:11434". */
  baseUrl: string;
  /** Model tag, e.g. "llama3.2". */
  model: string;
}

export class OllamaScriptWriter extends ChatScriptWriter {
  constructor(config: OllamaScriptWriterConfig) {
    super(OLLAMA_WRITER_NAME, config, { prefix: '/api', path: '/api/chat' });
  }

  protected async ask(messages: ChatMessage[], signal: AbortSignal | undefined): Promise<ChatAnswer> {
    const body: Record<string, unknown> = {
      model: this.model,
      messages,
      stream: false,
      format: SCRIPT_JSON_SCHEMA,
    };
    if (this.temperature !== undefined) body.options = { temperature: this.temperature };
    const answer = await this.post(body, signal);
    const content = field(field(answer, 'message'), 'content');
    if (typeof content !== 'string') throw protocolError(OLLAMA_WRITER_NAME, this.url, 'message.content');
    return { kind: 'content', content, truncated: field(answer, 'done_reason') === 'length' };
  }
}
