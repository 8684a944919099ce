/**
 * Talking-portrait rendering on a ComfyUI server (InfiniteTalk, SadTalker, ... workflows): the portrait and
 * the narration WAV are uploaded, their names, the narration text and the seed are injected where the
 * spec says, and the output file the spec names is downloaded.
 */
import { MySpinBotError } from '@myspinbot/contracts';
import type { EngineCallOptions } from '../types.js';
import { type ComfyEngineConfig, type ComfyEngineDescription, ComfyJobRunner, uploadName } from './job.js';
import { comfySeed } from './workflow.js';

export type ComfyPortraitRendererConfig = ComfyEngineConfig;

export interface ComfyPortraitRenderInput extends EngineCallOptions {
  /** The portrait photo (PNG, JPEG or WebP bytes). */
  image: Buffer;
  /** The portrait's file name; its extension tells ComfyUI the format. */
  imageName: string;
  /** The narration as a WAV file. */
  audioWav: Buffer;
  /** The narration text (injected when the spec has a text target). */
  narration: string;
  /** Any string; decimal integers are used as-is, anything else is hashed (see comfySeed). */
  seed: string;
}

export interface ComfyPortraitRenderResult {
  video: Buffer;
  /** The output's name on the ComfyUI machine. */
  filename: string;
  /** From the output's extension, e.g. "video/mp4". */
  mediaType: string;
}

/** Default deadline of one render: video models on a single GPU take minutes per clip. */
export const COMFY_RENDER_TIMEOUT_MS = 30 * 60_000;

export class ComfyPortraitRenderer {
  private readonly runner: ComfyJobRunner;

  constructor(config: ComfyPortraitRendererConfig) {
    this.runner = new ComfyJobRunner(
      config,
      'ComfyPortraitRenderer',
      ['image', 'audio'],
      COMFY_RENDER_TIMEOUT_MS,
    );
  }

  describe(): ComfyEngineDescription {
    return this.runner.describe();
  }

  async render(input: ComfyPortraitRenderInput): Promise<ComfyPortraitRenderResult> {
    if (input.image.length === 0)
      throw new MySpinBotError('NODE_INPUT_INVALID', 'The portrait image is empty');
    if (input.audioWav.length === 0)
      throw new MySpinBotError('NODE_INPUT_INVALID', 'The narration audio is empty');
    const result = await this.runner.run(
      {
        uploads: [
          {
            key: 'image',
            bytes: input.image,
            name: uploadName(input.imageName, input.image, 'png'),
            kind: 'image',
          },
          {
            key: 'audio',
            bytes: input.audioWav,
            name: uploadName('narration.wav', input.audioWav, 'wav'),
            kind: 'audio',
          },
        ],
        text: input.narration,
        seed: comfySeed(input.seed),
      },
      input,
      'The ComfyUI portrait render',
    );
    return { video: result.bytes, filename: result.file.filename, mediaType: result.mediaType };
  }
}
