/**
 * Workflow templating: a user's API-format workflow plus an injection spec that names, for each value
 * MySpinBot supplies (portrait, narration audio, narration text, seed), the node input it replaces, and the
 * node whose output is the result.
 *
 * Rules:
 * - every problem is CONFIG_INVALID and names what is wrong (the spec key, node id, input name);
 * - a target must name a node of the workflow and an input that node already has as a literal: a linked
 *   input (`[nodeId, slot]`) is rejected, because writing a literal over a link silently rewires the graph;
 * - injection never mutates its arguments: the workflow is deep-copied first;
 * - a value with no target in the spec is not injected (a workflow need not use every value), but every
 *   target in the spec is checked, whether or not a value is given for it.
 */
import { createHash } from 'node:crypto';
import { MySpinBotError } from '@myspinbot/contracts';
import {
  COMFY_INJECTION_KEYS,
  COMFY_OUTPUT_KINDS,
  type ComfyFileRef,
  type ComfyInjectionSpec,
  type ComfyInjectionTarget,
  type ComfyInjectionValues,
  type ComfyOutputKind,
  type ComfyWorkflow,
} from './types.js';

function invalid(message: string, details: Record<string, unknown> = {}): MySpinBotError {
  return new MySpinBotError('CONFIG_INVALID', message, { details });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function listIds(ids: readonly string[]): string {
  const shown = ids.slice(0, 20).join(', ');
  return ids.length > 20 ? `${shown}, … (${ids.length} in all)` : shown;
}

/**
 * Checks that a value is an API-format workflow (node id -> {class_type, inputs}) and returns it typed.
 * `source` prefixes every message (e.g. the file path). The UI format ("Save" instead of "Export (API)")
 * is recognised and explained.
 */
export function parseComfyWorkflow(value: unknown, source: string): ComfyWorkflow {
  if (!isRecord(value)) {
    throw invalid(
      `${source}: the workflow must be a JSON object of node id -> node, got ${describeType(value)}`,
    );
  }
  if (Array.isArray(value.nodes) && Array.isArray(value.links)) {
    throw invalid(
      `${source}: this is a ComfyUI UI-format workflow (it has "nodes" and "links"); export it with ` +
        '"Export (API)" instead (enable the dev mode options in the settings on older ComfyUI versions)',
    );
  }
  const ids = Object.keys(value);
  if (ids.length === 0) throw invalid(`${source}: the workflow has no nodes`);
  for (const id of ids) {
    const node = value[id];
    if (!isRecord(node)) {
      throw invalid(`${source}: node "${id}" must be an object, got ${describeType(node)}`, { node: id });
    }
    if (typeof node.class_type !== 'string' || node.class_type === '') {
      throw invalid(`${source}: node "${id}" has no class_type`, { node: id });
    }
    if (!isRecord(node.inputs)) {
      throw invalid(`${source}: node "${id}" (${node.class_type}) has no inputs object`, { node: id });
    }
  }
  return value as unknown as ComfyWorkflow;
}

function parseTarget(value: unknown, where: string): ComfyInjectionTarget {
  if (!isRecord(value)) throw invalid(`${where} must be an object {node, input}, got ${describeType(value)}`);
  const { node, input } = value;
  if (typeof node !== 'string' || node === '') throw invalid(`${where}.node must be a non-empty string`);
  if (typeof input !== 'string' || input === '') throw invalid(`${where}.input must be a non-empty string`);
  return { node, input };
}

/** Checks the shape of an injection spec (not yet against a workflow) and returns it typed. */
export function parseInjectionSpec(value: unknown, source: string): ComfyInjectionSpec {
  if (!isRecord(value))
    throw invalid(`${source}: the injection spec must be an object, got ${describeType(value)}`);
  const known = new Set<string>([...COMFY_INJECTION_KEYS, 'output']);
  const unknown = Object.keys(value).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw invalid(
      `${source}: unknown injection key(s) ${unknown.join(', ')}; expected image, audio, text, seed, output`,
    );
  }
  const output = value.output;
  if (!isRecord(output)) throw invalid(`${source}: inject.output must be an object {node, kind}`);
  if (typeof output.node !== 'string' || output.node === '') {
    throw invalid(`${source}: inject.output.node must be a non-empty string`);
  }
  if (typeof output.kind !== 'string' || !(COMFY_OUTPUT_KINDS as readonly string[]).includes(output.kind)) {
    throw invalid(
      `${source}: inject.output.kind must be one of ${COMFY_OUTPUT_KINDS.join(', ')}, got ${JSON.stringify(output.kind)}`,
    );
  }
  const spec: ComfyInjectionSpec = { output: { node: output.node, kind: output.kind as ComfyOutputKind } };
  for (const key of COMFY_INJECTION_KEYS) {
    const target = value[key];
    if (target !== undefined) spec[key] = parseTarget(target, `${source}: inject.${key}`);
  }
  return spec;
}

function nodeLabel(workflow: ComfyWorkflow, id: string): string {
  const node = workflow[id];
  if (node === undefined) return `"${id}"`;
  const title = node._meta?.title;
  return title !== undefined && title !== node.class_type
    ? `"${id}" (${node.class_type} "${title}")`
    : `"${id}" (${node.class_type})`;
}

/** Checks that every target of the spec names an existing node and literal input. */
export function checkInjectionSpec(workflow: ComfyWorkflow, spec: ComfyInjectionSpec): void {
  const ids = Object.keys(workflow);
  for (const key of COMFY_INJECTION_KEYS) {
    const target = spec[key];
    if (target === undefined) continue;
    const node = workflow[target.node];
    if (node === undefined) {
      throw invalid(
        `inject.${key} names node "${target.node}", which is not in the workflow (nodes: ${listIds(ids)})`,
        { key, node: target.node },
      );
    }
    if (!Object.hasOwn(node.inputs, target.input)) {
      const inputs = Object.keys(node.inputs);
      throw invalid(
        `inject.${key} names input "${target.input}" of node ${nodeLabel(workflow, target.node)}, which has no such ` +
          `input (it has: ${inputs.length === 0 ? 'none' : inputs.join(', ')})`,
        { key, node: target.node, input: target.input },
      );
    }
    const current = node.inputs[target.input];
    if (Array.isArray(current)) {
      throw invalid(
        `inject.${key} names input "${target.input}" of node ${nodeLabel(workflow, target.node)}, which is linked ` +
          `to node "${String(current[0])}"; point the spec at the node that holds the literal value`,
        { key, node: target.node, input: target.input },
      );
    }
  }
  if (workflow[spec.output.node] === undefined) {
    throw invalid(
      `inject.output names node "${spec.output.node}", which is not in the workflow (nodes: ${listIds(ids)})`,
      { key: 'output', node: spec.output.node },
    );
  }
}

/** A deep copy of the workflow with the given values written into the spec's targets. */
export function injectWorkflow(
  workflow: ComfyWorkflow,
  spec: ComfyInjectionSpec,
  values: ComfyInjectionValues,
): ComfyWorkflow {
  checkInjectionSpec(workflow, spec);
  const copy = structuredClone(workflow);
  for (const key of COMFY_INJECTION_KEYS) {
    const target = spec[key];
    const value = values[key];
    if (target === undefined || value === undefined) continue;
    const node = copy[target.node];
    if (node !== undefined) node.inputs[target.input] = value;
  }
  return copy;
}

/**
 * The seed as ComfyUI takes it: a non-negative integer below 2^53 (JSON numbers above that lose digits).
 * A decimal string in that range is used as-is; anything else is hashed (SHA-256, first 48 bits), so the
 * same seed string always gives the same number.
 */
export function comfySeed(seed: string): number {
  const trimmed = seed.trim();
  if (/^\d{1,16}$/.test(trimmed)) {
    const value = Number(trimmed);
    if (Number.isSafeInteger(value)) return value;
  }
  return createHash('sha256').update(seed).digest().readUIntBE(0, 6);
}

/** The value a loader node takes for an uploaded file: "subfolder/name", or the name alone. */
export function uploadedInputValue(ref: ComfyFileRef): string {
  return ref.subfolder === '' ? ref.filename : `${ref.subfolder}/${ref.filename}`;
}
