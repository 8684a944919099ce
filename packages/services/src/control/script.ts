/**
 * script.generateScript writes the script (stage + narration) with the configured writer (built-in or an
 * LLM adapter); script.postScript cleans it for speech, enforces the length limits and splits it into
 * caption segments.
 */
import { MySpinBotError, type TrainOptions } from '@myspinbot/contracts';
import type { Script, ScriptWriter } from '@myspinbot/engines/llm';
import { postScript } from '@myspinbot/engines/script';
import type { ServiceDefinition } from '@myspinbot/runtime';
import { putArtifact, putJson, slot } from '../artifacts.js';
import type { PlaneDeps } from '../deps.js';

function options(ctx: { context: Readonly<Record<string, unknown>> }): TrainOptions {
  return slot(ctx.context as Record<string, unknown>, 'options') as TrainOptions;
}

export function generateScript(writer: ScriptWriter): ServiceDefinition<PlaneDeps> {
  const described = writer.describe();
  return {
    name: 'script.generateScript',
    plane: 'node',
    description: 'Writes the stage description and the narration from the prompt',
    engine: described.model ? `${described.name}:${described.model}` : described.name,
    timeoutMs: 180_000,
    async run(_input, ctx) {
      const prompt = typeof ctx.context.prompt === 'string' ? ctx.context.prompt : '';
      if (prompt.trim() === '') throw new MySpinBotError('NODE_INPUT_INVALID', 'the job has no prompt');
      const opts = options(ctx);
      ctx.progress(0.05, 'writing the script');
      const script = await writer.write(
        {
          prompt,
          ...(opts.language ? { language: opts.language } : {}),
          ...(opts.maxWords ? { maxWords: opts.maxWords } : {}),
        },
        { signal: ctx.signal, onProgress: (f, m) => ctx.progress(f, m) },
      );
      const artifact = await putJson(ctx, 'script.json', script);
      ctx.publish('script', { title: script.title, narration: script.narration });
      return { ...script, artifacts: [artifact] };
    },
  };
}

export const postScriptService: ServiceDefinition<PlaneDeps> = {
  name: 'script.postScript',
  plane: 'node',
  description: 'Cleans the narration for speech, enforces length limits, splits caption segments',
  timeoutMs: 30_000,
  async run(input, ctx) {
    const script = slot(input, 'script');
    if (typeof script.narration !== 'string')
      throw new MySpinBotError('NODE_INPUT_INVALID', 'post-script needs a script with a narration');
    const maxWords = options(ctx).maxWords ?? 400;
    const result = postScript({ narration: script.narration } as Pick<Script, 'narration'>, {
      maxWords,
      maxChars: maxWords * 12,
      maxSegmentChars: 84,
    });
    if (result.words === 0)
      throw new MySpinBotError('NODE_INPUT_INVALID', 'the narration has no words to speak');
    const text = await putArtifact(
      ctx,
      'narration.txt',
      `${result.narration}\n`,
      'text/plain; charset=utf-8',
    );
    ctx.progress(1);
    return { ...result, title: typeof script.title === 'string' ? script.title : '', artifacts: [text] };
  },
};
