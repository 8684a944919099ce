/**
 * Image upscaling on a ComfyUI server (ESRGAN-style workflows: LoadImage -> ImageUpscaleWithModel ->
 * SaveImage), for a still or one video frame at a time: the image is uploaded, its name (and the seed,
 * when the spec has a seed target) injected, and the output image the spec names downloaded.
 */
import { MySpinBotError } from '@myspinbot/contracts';
import type { EngineCallOptions } from '../types.js';
import { type ComfyEngineConfig, type ComfyEngineDescription, ComfyJobRunner, uploadName } from './job.js';
import { comfySeed } from './workflow.js';

export type ComfyUpscalerConfig = ComfyEngineConfig;

export interface ComfyUpscaleInput extends EngineCallOptions {
  /** The image (PNG, JPEG or WebP bytes). */
  image: Buffer;
  /** Its file name; the extension tells ComfyUI the format. Default "frame.png". */
  imageName?: string;
  /** Injected when the spec has a seed target (diffusion upscalers). */
  seed?: string;
}

export interface ComfyUpscaleResult {
  image: Buffer;
  filename: string;
  mediaType: string;
}

/** Default deadline of one upscale. */
export const COMFY_UPSCALE_TIMEOUT_MS = 10 * 60_000;

export class ComfyUpscaler {
  private readonly runner: ComfyJobRunner;

  constructor(config: ComfyUpscalerConfig) {
    this.runner = new ComfyJobRunner(config, 'ComfyUpscaler', ['image'], COMFY_UPSCALE_TIMEOUT_MS);
  }

  describe(): ComfyEngineDescription {
    return this.runner.describe();
  }

  async upscale(input: ComfyUpscaleInput): Promise<ComfyUpscaleResult> {
    if (input.image.length === 0)
      throw new MySpinBotError('NODE_INPUT_INVALID', 'The image to upscale is empty');
    const name = input.imageName ?? 'frame.png';
    const result = await this.runner.run(
      {
        uploads: [
          { key: 'image', bytes: input.image, name: uploadName(name, input.image, 'png'), kind: 'image' },
        ],
        ...(input.seed === undefined ? {} : { seed: comfySeed(input.seed) }),
      },
      input,
      'The ComfyUI upscale',
    );
    return { image: result.bytes, filename: result.file.filename, mediaType: result.mediaType };
  }
}
