import { type ArtifactRef, artifactRefValidator, MySpinBotError } from '@myspinbot/contracts';
import type { ServiceDefinition } from '@myspinbot/runtime';
import { putJson } from '../artifacts.js';
import type { PlaneDeps } from '../deps.js';

/** Every artifact reference found one or two levels deep in the node's input. */
function refsOf(value: unknown, depth = 0): ArtifactRef[] {
  if (artifactRefValidator.is(value)) return [value];
  if (depth > 2 || value === null || typeof value !== 'object') return [];
  return Object.values(value).flatMap((v) => refsOf(v, depth + 1));
}

/**
 * artifacts.uploadArtifact: the control plane's bookkeeping at the end of a job: checks every result
 * artifact exists in the store with the size recorded by its producer, and writes result.json, the
 * job's manifest of results (video, thumbnail, captions, audio, script).
 */
export const uploadArtifact: ServiceDefinition<PlaneDeps> = {
  name: 'artifacts.uploadArtifact',
  plane: 'node',
  description: "Verifies the job's result artifacts and writes its result manifest",
  timeoutMs: 60_000,
  async run(input, ctx) {
    const video = input.video as Record<string, unknown> | null | undefined;
    const refs = [...new Map(refsOf(input).map((r) => [r.key, r])).values()];
    for (const ref of refs) {
      const stored = await ctx.deps.store.head(ref.key);
      if (!stored || stored.size !== ref.size) {
        throw new MySpinBotError('ARTIFACT_NOT_FOUND', `result artifact ${ref.key} is missing or incomplete`);
      }
    }
    const result = {
      jobId: ctx.jobId,
      video: video?.video ?? null,
      thumbnail: video?.thumbnail ?? null,
      captions: video?.captions ?? null,
      audio: (input.speech as Record<string, unknown> | null | undefined)?.audio ?? null,
      script: (input.script as Record<string, unknown> | null | undefined)?.narration ?? null,
      artifacts: refs,
    };
    const manifest = await putJson(ctx, 'result.json', result);
    ctx.publish('result', { video: result.video, thumbnail: result.thumbnail });
    return { ...result, artifacts: [...refs, manifest] };
  },
};
