/**
 * The built-in deterministic writer for instructions ("Introduce yourself as a friendly tour guide of
 * Rome"): the instruction's parts (instruction.ts) fill a first-person script of three sentences,
 * greeting + body + closing. Rules kept:
 * - greeting: "Hello! I'm <role>." style when the instruction casts the speaker, else a plain hello;
 * - body: the message to pass on ("I wanted to let you know that ..."), else the topic ("Today I want to
 *   tell you about ..."), else a line about the speaker;
 * - closing: a thank-you / goodbye line;
 * - each part is picked from a fixed list by a hash of the prompt: the same request always gives the
 *   same script, different prompts get some variety;
 * - when the script has more than maxWords words the closing is dropped, then the greeting;
 * - title: the topic in title case, "Meet <role>" for an introduction, the first words of a message, else
 *   "Introduction"; stage: the
 *   role speaking to the camera (in the requested style), else the neutral stage;
 * - the templates are English: another language is NODE_INPUT_INVALID (use the direct writer or an LLM).
 */
import { MySpinBotError } from '@myspinbot/contracts';
import { tokenizeWords } from '../speech/text.js';
import type { EngineCallOptions } from '../types.js';
import { throwIfScriptAborted } from './cancel.js';
import { type Instruction, parseInstruction } from './instruction.js';
import { clampTitle, deriveTitle, neutralStage, tidyNarration } from './tidy.js';
import {
  isEnglish,
  type ResolvedScriptRequest,
  resolveRequest,
  type Script,
  type ScriptRequest,
  type ScriptWriter,
  type ScriptWriterDescription,
} from './types.js';

export const TEMPLATE_WRITER_NAME = 'template';

const GREETINGS_AS = ["Hello! I'm {role}.", "Hi there, I'm {role}.", "Hello everyone, I'm {role}."];
const GREETINGS = ['Hello everyone!', 'Hi there!', 'Hello and welcome!'];
const MESSAGE_LINES = [
  'I wanted to let you know that {message}.',
  'I have some news for you: {message}.',
  'Here is what I want you to know: {message}.',
];
const TOPIC_LINES = [
  'Today I want to tell you about {topic}.',
  'Let me tell you about {topic}.',
  "Today I'd like to talk about {topic}.",
];
const SELF_LINES = [
  'Let me tell you a little about who I am and what I do.',
  "It's a pleasure to meet you, and I'm glad you're here.",
  "I'm happy to meet you, and I look forward to spending some time with you.",
];
const CLOSINGS = [
  'Thanks for listening, and see you soon!',
  'Thank you for watching. Until next time!',
  'I hope you enjoyed this. Take care!',
];
/** Words left in lower case inside a title-case title. */
const MINOR_WORDS = new Set([
  'a',
  'an',
  'the',
  'and',
  'or',
  'but',
  'of',
  'in',
  'on',
  'at',
  'to',
  'for',
  'by',
  'with',
]);

/** FNV-1a hash of the text (32 bits): a stable, well-spread choice key. */
function hash(text: string): number {
  let value = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    value ^= text.charCodeAt(i);
    value = Math.imul(value, 0x01000193) >>> 0;
  }
  return value;
}

/** The entry of the list chosen by the key (each part uses a different byte of the hash). */
function pick(list: readonly string[], key: number, part: number): string {
  return list[(key >>> (part * 8)) % list.length] ?? list[0] ?? '';
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

function titleCase(text: string): string {
  return text
    .split(' ')
    .map((word, index) =>
      index > 0 && MINOR_WORDS.has(word.toLowerCase())
        ? word
        : word.replace(/^\p{Ll}/u, (letter) => letter.toUpperCase()),
    )
    .join(' ');
}

function capitalise(text: string): string {
  return text.replace(/^\p{Ll}/u, (letter) => letter.toUpperCase());
}

function wordCount(sentences: readonly string[]): number {
  return tokenizeWords(sentences.join(' ')).length;
}

/** The template script for an already resolved request (shared with the choosing writer). */
export function templateScript(request: ResolvedScriptRequest, instruction?: Instruction): Script {
  if (!isEnglish(request.language)) {
    throw new MySpinBotError(
      'NODE_INPUT_INVALID',
      `The template writer only writes English, not "${request.language}"; use the direct writer or an LLM adapter`,
      { details: { language: request.language } },
    );
  }
  const { role, topic, message } = instruction ?? parseInstruction(request.prompt);
  const key = hash(request.prompt);
  const greeting = role === null ? pick(GREETINGS, key, 0) : fill(pick(GREETINGS_AS, key, 0), { role });
  let body: string;
  if (message !== null) body = fill(pick(MESSAGE_LINES, key, 1), { message });
  else if (topic !== null) body = fill(pick(TOPIC_LINES, key, 1), { topic });
  else body = pick(SELF_LINES, key, 1);
  let parts = [greeting, body, pick(CLOSINGS, key, 2)];
  if (wordCount(parts) > request.maxWords) parts = [greeting, body];
  if (wordCount(parts) > request.maxWords) parts = [body];
  const narration = tidyNarration(parts.join(' '));
  let title: string;
  if (topic !== null && message === null) title = clampTitle(titleCase(topic));
  else if (role !== null && message === null) title = clampTitle(`Meet ${role}`);
  else if (message !== null) title = deriveTitle(capitalise(message));
  else title = 'Introduction';
  const stage =
    role === null
      ? neutralStage(request.style)
      : `${capitalise(role)} speaking directly to the camera in a ${request.style ?? 'warm, welcoming'} tone.`;
  return { title, stage, narration, engine: TEMPLATE_WRITER_NAME };
}

export class TemplateScriptWriter implements ScriptWriter {
  describe(): ScriptWriterDescription {
    return { name: TEMPLATE_WRITER_NAME, builtIn: true };
  }

  async write(request: ScriptRequest, options: EngineCallOptions = {}): Promise<Script> {
    throwIfScriptAborted(options.signal);
    const script = templateScript(resolveRequest(request));
    options.onProgress?.(1, 'Script ready');
    return script;
  }
}
