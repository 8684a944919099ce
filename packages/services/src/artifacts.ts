/**
 * How services keep their files: every artifact key comes from the job id, the node id and a fixed name
 * (never from user input), so a re-run of a node overwrites its own artifacts. Local work happens in a
 * per-node temporary folder that is always removed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ArtifactRef, artifactRefValidator, MySpinBotError } from '@myspinbot/contracts';
import type { ServiceContext } from '@myspinbot/runtime';
import { artifactKey } from '@myspinbot/storage';
import type { PlaneDeps } from './deps.js';

export async function putArtifact(
  ctx: ServiceContext<PlaneDeps>,
  name: string,
  body: Buffer | string,
  contentType: string,
): Promise<ArtifactRef> {
  const stored = await ctx.deps.store.put(
    artifactKey(ctx.jobId, ctx.nodeId, name),
    typeof body === 'string' ? Buffer.from(body) : body,
    {
      contentType,
    },
  );
  return ctx.deps.store.toArtifactRef(stored);
}

export async function putArtifactFile(
  ctx: ServiceContext<PlaneDeps>,
  name: string,
  path: string,
  contentType: string,
): Promise<ArtifactRef> {
  const stored = await ctx.deps.store.putFile(artifactKey(ctx.jobId, ctx.nodeId, name), path, {
    contentType,
  });
  return ctx.deps.store.toArtifactRef(stored);
}

export function putJson(ctx: ServiceContext<PlaneDeps>, name: string, value: unknown): Promise<ArtifactRef> {
  return putArtifact(ctx, name, `${JSON.stringify(value, null, 2)}\n`, 'application/json');
}

/** An ArtifactRef found in a node's input (or null when absent); anything else is NODE_INPUT_INVALID. */
export function refIn(value: unknown, what: string, required: true): ArtifactRef;
export function refIn(value: unknown, what: string, required: false): ArtifactRef | null;
export function refIn(value: unknown, what: string, required: boolean): ArtifactRef | null {
  if (value === undefined || value === null) {
    if (required) throw new MySpinBotError('NODE_INPUT_INVALID', `missing input: ${what}`);
    return null;
  }
  if (!artifactRefValidator.is(value))
    throw new MySpinBotError('NODE_INPUT_INVALID', `input ${what} is not an artifact reference`);
  return value;
}

export async function readArtifact(ctx: ServiceContext<PlaneDeps>, ref: ArtifactRef): Promise<Buffer> {
  const bytes = await ctx.deps.store.getBuffer(ref.key);
  if (!bytes) throw new MySpinBotError('ARTIFACT_NOT_FOUND', `artifact ${ref.key} is missing from the store`);
  return bytes;
}

export async function readJsonArtifact<T>(ctx: ServiceContext<PlaneDeps>, ref: ArtifactRef): Promise<T> {
  const bytes = await readArtifact(ctx, ref);
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch {
    throw new MySpinBotError('NODE_INPUT_INVALID', `artifact ${ref.key} is not JSON`);
  }
}

/** Runs `work` in a fresh temporary folder that is removed afterwards, whatever happens. */
export async function inWorkDir<T>(
  ctx: ServiceContext<PlaneDeps>,
  work: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), `myspinbot-${ctx.nodeId}-`));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A sub-object of a node's input by slot name, or an empty object. */
export function slot(input: Record<string, unknown>, name: string): Record<string, unknown> {
  const value = input[name];
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
