import { MySpinBotError } from '@myspinbot/contracts';
import type { ServiceDefinition } from '@myspinbot/runtime';
import { refIn, slot } from '../artifacts.js';
import type { PlaneDeps } from '../deps.js';

/**
 * artifacts.prepareAssets: checks that the job's input uploads are in the store, intact (size and
 * SHA-256 as recorded at upload), and hands their references to the nodes downstream.
 */
export const prepareAssets: ServiceDefinition<PlaneDeps> = {
  name: 'artifacts.prepareAssets',
  plane: 'node',
  description: 'Checks the input uploads in the artifact store and passes their references on',
  timeoutMs: 60_000,
  async run(_input, ctx) {
    const inputs = slot(ctx.context as Record<string, unknown>, 'inputs');
    const image = refIn(inputs.image, 'image', false);
    const voice = refIn(inputs.voice, 'voice', false);
    for (const ref of [image, voice]) {
      if (!ref) continue;
      const stored = await ctx.deps.store.head(ref.key);
      if (!stored)
        throw new MySpinBotError('ARTIFACT_NOT_FOUND', `input ${ref.name} is missing from the store`);
      if (stored.size !== ref.size || (ref.sha256 && stored.sha256 && stored.sha256 !== ref.sha256)) {
        throw new MySpinBotError('MEDIA_INVALID', `input ${ref.name} changed since it was uploaded`);
      }
    }
    ctx.progress(1);
    return { image, voice, prompt: typeof ctx.context.prompt === 'string' ? ctx.context.prompt : '' };
  },
};
