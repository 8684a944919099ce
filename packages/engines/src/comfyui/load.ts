/**
 * Reads a ComfyUI workflow file: JSON `{ "workflow": <API-format workflow>, "inject": <injection spec> }`.
 * Every problem (unreadable file, bad JSON, wrong shape, a spec naming a missing node or input) is
 * CONFIG_INVALID with the path and the problem in the message and in details.
 */
import { readFile } from 'node:fs/promises';
import { MySpinBotError } from '@myspinbot/contracts';
import type { ComfyInjectionSpec, ComfyWorkflow } from './types.js';
import { checkInjectionSpec, parseComfyWorkflow, parseInjectionSpec } from './workflow.js';

export interface ComfyWorkflowFile {
  workflow: ComfyWorkflow;
  spec: ComfyInjectionSpec;
}

function fileProblem(path: string, problem: string, cause?: unknown): MySpinBotError {
  return new MySpinBotError('CONFIG_INVALID', `ComfyUI workflow file ${path}: ${problem}`, {
    details: { path, problem },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Re-labels a validation error so it carries the file path (messages already start with it). */
function withPath(path: string, error: unknown): unknown {
  if (!(error instanceof MySpinBotError) || error.code !== 'CONFIG_INVALID') return error;
  const prefix = `ComfyUI workflow file ${path}: `;
  const problem = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  return fileProblem(path, problem, error);
}

export async function loadComfyWorkflow(path: string): Promise<ComfyWorkflowFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
    throw fileProblem(path, `cannot be read (${reason})`, error);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw fileProblem(
      path,
      `is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
      error,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw fileProblem(path, 'must hold a JSON object { "workflow": ..., "inject": ... }');
  }
  const record = parsed as Record<string, unknown>;
  if (record.workflow === undefined) {
    throw fileProblem(path, 'has no "workflow" (the API-format workflow exported from ComfyUI)');
  }
  if (record.inject === undefined) {
    throw fileProblem(path, 'has no "inject" (where the portrait, audio, text and seed go, and the output)');
  }
  try {
    const source = `ComfyUI workflow file ${path}`;
    const workflow = parseComfyWorkflow(record.workflow, source);
    const spec = parseInjectionSpec(record.inject, source);
    checkInjectionSpec(workflow, spec);
    return { workflow, spec };
  } catch (error) {
    throw withPath(path, error);
  }
}
