/**
 * What the LLM adapters share: the JSON schema of the answer, the prompts, the check of an answer and the
 * ask -> check -> (one corrective retry) loop. Rules kept:
 * - the model gets a system prompt (role, fields, word target, language, tone) and the user's prompt;
 * - an answer is usable when its content (optionally inside a ```json fence) is a JSON object whose title,
 *   stage and narration are strings, the narration keeps at least one word once tidied, and it has at most
 *   maxWords × 1.5 words;
 * - an unusable answer gets one corrective retry (the bad answer plus a message naming the problem); a
 *   second unusable answer is NODE_INPUT_INVALID naming the problem; a refusal is NODE_INPUT_INVALID at once;
 * - the narration is tidied like the direct writer's (tidy.ts); an empty title is derived from the
 *   narration, an empty stage is the neutral one.
 */
import { MySpinBotError } from '@myspinbot/contracts';
import { tokenizeWords } from '../speech/text.js';
import type { EngineCallOptions } from '../types.js';
import {
  clampTitle,
  deriveTitle,
  ensureFinalPunctuation,
  neutralStage,
  tidyLine,
  tidyNarration,
} from './tidy.js';
import { isEnglish, type ResolvedScriptRequest, type Script } from './types.js';

/** JSON schema of the answer (strict-mode compatible: every property required, no others allowed). */
export const SCRIPT_JSON_SCHEMA = {
  type: 'object',
  properties: {
    title: { type: 'string', description: 'A short title for the video, at most 8 words.' },
    stage: {
      type: 'string',
      description: "One sentence on the speaker's expression, mood and setting.",
    },
    narration: {
      type: 'string',
      description: 'Exactly what the speaker says to the camera: first person, plain spoken sentences.',
    },
  },
  required: ['title', 'stage', 'narration'],
  additionalProperties: false,
} as const;

/** Name of the schema in OpenAI-style response_format. */
export const SCRIPT_SCHEMA_NAME = 'talking_portrait_script';
/** The narration may exceed the word target by this factor before the answer is refused. */
export const WORD_TOLERANCE = 1.5;
/** Attempts per write: the first answer and one corrective retry. */
export const MAX_ATTEMPTS = 2;

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** A model's answer: its content (truncated = stopped at the token limit), or a refusal. */
export type ChatAnswer =
  | { kind: 'content'; content: string; truncated: boolean }
  | { kind: 'refusal'; refusal: string };

/** English name of a BCP-47 tag ("fr" -> "French"), or the tag itself when unknown. */
export function languageName(tag: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'language' }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}

export function systemPrompt(request: ResolvedScriptRequest): string {
  const lines = [
    'You write scripts for short talking-portrait videos: a portrait photo of one person speaks the narration to the camera.',
    "The user's message is either the exact text to speak or a description of what the person should say.",
    'Answer with only a JSON object with three string fields:',
    '- "title": a short title for the video (at most 8 words);',
    `- "stage": one sentence describing the speaker's expression, mood and setting;`,
    `- "narration": exactly what the person says, in the first person, spoken directly to the viewer, at most ${request.maxWords} words, in plain sentences without markdown, emojis, stage directions, URLs or speaker labels.`,
    `Write the narration in ${languageName(request.language)}.`,
  ];
  if (request.style !== null) lines.push(`Tone and style: ${request.style}.`);
  return lines.join('\n');
}

function correctiveMessage(problem: string, request: ResolvedScriptRequest): string {
  return (
    `Your previous answer could not be used: ${problem}. Reply again with only a JSON object with the string ` +
    `fields "title", "stage" and "narration"; the narration must have at most ${request.maxWords} words.`
  );
}

export type AnswerCheck = { ok: true; script: Omit<Script, 'engine'> } | { ok: false; problem: string };

/** Checks one answer's content against the rules above. */
export function checkAnswer(
  content: string,
  truncated: boolean,
  request: ResolvedScriptRequest,
): AnswerCheck {
  const fenced = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/i.exec(content);
  const json = (fenced?.[1] ?? content).trim();
  if (json === '') return { ok: false, problem: 'the answer is empty' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    if (truncated)
      return { ok: false, problem: 'the answer was cut off at the token limit before the JSON ended' };
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, problem: `the answer is not valid JSON (${reason})` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, problem: 'the answer is not a JSON object' };
  }
  const record = parsed as Record<string, unknown>;
  const fields: Record<string, string> = {};
  for (const field of ['title', 'stage', 'narration']) {
    const value = record[field];
    if (typeof value !== 'string') return { ok: false, problem: `"${field}" is missing or not a string` };
    fields[field] = value;
  }
  const narration = tidyNarration(fields.narration ?? '', { english: isEnglish(request.language) });
  if (narration === '') return { ok: false, problem: 'the narration is empty' };
  const words = tokenizeWords(narration).length;
  const limit = Math.floor(request.maxWords * WORD_TOLERANCE);
  if (words > limit) {
    return {
      ok: false,
      problem: `the narration has ${words} words, more than ${limit} (the target of ${request.maxWords} words × ${WORD_TOLERANCE})`,
    };
  }
  const title = clampTitle(tidyLine(fields.title ?? ''));
  const stage = ensureFinalPunctuation(tidyLine(fields.stage ?? ''));
  return {
    ok: true,
    script: {
      title: title === '' ? deriveTitle(narration) : title,
      stage: stage === '' ? neutralStage(request.style) : stage,
      narration,
    },
  };
}

/** Longest bad answer echoed back to the model in the corrective retry (characters). */
const ECHO_LIMIT = 4000;

export interface WriteWithModelParams {
  writer: string;
  model: string;
  request: ResolvedScriptRequest;
  options: EngineCallOptions;
  /** Sends the conversation and returns the model's answer (HTTP failures throw MySpinBotErrors). */
  ask(messages: ChatMessage[]): Promise<ChatAnswer>;
}

/** Asks, checks, retries once with a corrective message (see the rules at the top). */
export async function writeWithModel(params: WriteWithModelParams): Promise<Script> {
  const { writer, model, request, options, ask } = params;
  const messages: ChatMessage[] = [
    { role: 'system', content: systemPrompt(request) },
    { role: 'user', content: request.prompt },
  ];
  let problem = '';
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    options.onProgress?.(
      (attempt - 1) / MAX_ATTEMPTS,
      attempt === 1 ? `Asking ${model}` : `Asking ${model} again: ${problem}`,
    );
    const answer = await ask(messages);
    if (answer.kind === 'refusal') {
      throw new MySpinBotError(
        'NODE_INPUT_INVALID',
        `${writer} (model ${model}) refused the prompt: ${answer.refusal}`,
        {
          retryable: false,
          details: { model, attempts: attempt, refusal: answer.refusal },
        },
      );
    }
    const check = checkAnswer(answer.content, answer.truncated, request);
    if (check.ok) {
      options.onProgress?.(1, 'Script ready');
      return { ...check.script, engine: writer, model };
    }
    problem = check.problem;
    messages.push(
      { role: 'assistant', content: answer.content.slice(0, ECHO_LIMIT) },
      { role: 'user', content: correctiveMessage(problem, request) },
    );
  }
  throw new MySpinBotError(
    'NODE_INPUT_INVALID',
    `${writer} (model ${model}) gave no usable script after ${MAX_ATTEMPTS} attempts: ${problem}`,
    { retryable: false, details: { model, attempts: MAX_ATTEMPTS, problem } },
  );
}
