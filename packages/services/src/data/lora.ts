import { join } from 'node:path';
import { prepareLoraDataset, runLoraTrainer } from '@myspinbot/engines/dataset';
import type { ServiceDefinition } from '@myspinbot/runtime';
import { inWorkDir, putArtifactFile, readArtifact, refIn, slot } from '../artifacts.js';
import type { PlaneDeps } from '../deps.js';
import type { EngineSet } from '../engines.js';

/**
 * train_lora: prepares a LoRA dataset from the portrait (face-centred crops, resized, captioned, packed as
 * dataset.tar.gz) and, when a trainer command is configured, trains the LoRA weights from it.
 */
export function trainLora(engines: EngineSet): ServiceDefinition<PlaneDeps> {
  const trainer = engines.lora;
  return {
    name: 'train_lora',
    plane: 'python',
    description: trainer
      ? 'Prepares a LoRA dataset from the portrait and trains LoRA weights with the configured trainer'
      : 'Prepares a LoRA dataset from the portrait (no trainer configured: dataset only)',
    engine: trainer ? 'dataset+trainer' : 'dataset',
    timeoutMs: trainer ? trainer.timeoutMs + 600_000 : 600_000,
    async run(input, ctx) {
      const image = refIn(slot(input, 'assets').image, 'assets.image', true);
      const photo = await readArtifact(ctx, image);
      const stage = slot(input, 'script').title;
      return inWorkDir(ctx, async (dir) => {
        const dataset = await prepareLoraDataset({
          image: photo,
          outDir: dir,
          triggerWord: `msb_${ctx.jobId.replace(/[^A-Za-z0-9]/g, '').slice(0, 8)}`,
          ...(typeof stage === 'string' && stage ? { description: stage } : {}),
          signal: ctx.signal,
          onProgress: (f, m) => ctx.progress(f * (trainer ? 0.2 : 0.95), m),
        });
        const archive = await putArtifactFile(ctx, 'dataset.tar.gz', dataset.archivePath, 'application/gzip');
        const artifacts = [archive];
        let weights = null;
        if (trainer) {
          const outputFile = join(dir, 'lora.safetensors');
          await runLoraTrainer({
            command: trainer.command,
            datasetDir: dataset.folder,
            outputFile,
            timeoutMs: trainer.timeoutMs,
            signal: ctx.signal,
            onProgress: (f, m) => ctx.progress(0.2 + f * 0.75, m),
          });
          weights = await putArtifactFile(ctx, 'lora.safetensors', outputFile, 'application/octet-stream');
          artifacts.push(weights);
        }
        ctx.progress(1);
        return { dataset: archive, weights, images: dataset.images.length, face: dataset.face, artifacts };
      });
    },
  };
}
