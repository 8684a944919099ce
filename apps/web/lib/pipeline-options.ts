/**
 * Which inputs and options the upload form offers for a pipeline: only what its services do and what the
 * planes advertise (GET /api/pipelines + GET /api/capabilities), turned into TrainOptions on submit.
 */
import type { CombinedManifest, PipelineInfo, TrainOptions } from './types';

export interface PipelineFeatures {
  image: boolean;
  voice: boolean;
  /** Script writing (language, length). */
  script: boolean;
  /** Portrait rendering (frame size, frame rate, burned-in captions). */
  render: boolean;
  upscale: boolean;
  lora: boolean;
}

/** Everything, for when the server's pipeline list is not known (the server still decides). */
export const ALL_FEATURES: PipelineFeatures = {
  image: true,
  voice: true,
  script: true,
  render: true,
  upscale: true,
  lora: true,
};

export function pipelineFeatures(
  pipeline: PipelineInfo | undefined,
  manifest: CombinedManifest | null,
): PipelineFeatures {
  if (!pipeline) return ALL_FEATURES;
  const silentPlanes = new Set(manifest?.unavailable.map((u) => u.plane) ?? []);
  const has = (service: string) => {
    if (!pipeline.services.includes(service)) return false;
    if (!manifest) return true;
    // A plane that did not answer may still run it once a worker is up.
    return (
      manifest.services.includes(service) ||
      silentPlanes.has(service.startsWith('python/') ? 'python' : 'node')
    );
  };
  return {
    image: pipeline.inputs.includes('image'),
    voice: pipeline.inputs.includes('voice'),
    script: has('node/script.generateScript'),
    render: has('python/render_video') || has('python/render_video_comfyui'),
    upscale: has('python/finalize_video'),
    lora: has('python/train_lora'),
  };
}

export type FrameSize = 'photo' | 'square' | 'portrait' | 'landscape';

export const FRAME_SIZES: Record<FrameSize, { label: string; width?: number; height?: number }> = {
  photo: { label: 'Like the photo' },
  square: { label: 'Square, 720 × 720', width: 720, height: 720 },
  portrait: { label: 'Portrait, 720 × 1280', width: 720, height: 1280 },
  landscape: { label: 'Landscape, 1280 × 720', width: 1280, height: 720 },
};

/** The option fields as the form holds them (strings for inputs, '' for "server default"). */
export interface OptionsDraft {
  frameSize: FrameSize;
  fps: '' | '24' | '25' | '30';
  captions: boolean;
  upscale: '1' | '1.5' | '2';
  language: string;
  maxWords: string;
  trainLora: boolean;
}

export const DEFAULT_OPTIONS: OptionsDraft = {
  frameSize: 'photo',
  fps: '',
  captions: true,
  upscale: '1',
  language: '',
  maxWords: '',
  trainLora: false,
};

const LANGUAGE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/;

/** Problems with the option fields, by field. */
export function checkOptions(
  draft: OptionsDraft,
  features: PipelineFeatures,
): Partial<Record<'language' | 'maxWords', string>> {
  const problems: Partial<Record<'language' | 'maxWords', string>> = {};
  if (features.script || features.render) {
    const language = draft.language.trim();
    if (language !== '' && !LANGUAGE.test(language))
      problems.language = 'Use a language code such as en, de or pt-BR.';
  }
  if (features.script) {
    const words = draft.maxWords.trim();
    if (words !== '') {
      const n = Number(words);
      if (!Number.isInteger(n) || n < 5 || n > 400) problems.maxWords = 'A whole number from 5 to 400.';
    }
  }
  return problems;
}

/** The TrainOptions to send: only what the pipeline uses and differs from the server's defaults. */
export function toTrainOptions(draft: OptionsDraft, features: PipelineFeatures): TrainOptions {
  const options: TrainOptions = {};
  if (features.render) {
    const size = FRAME_SIZES[draft.frameSize];
    if (size.width !== undefined && size.height !== undefined) {
      options.width = size.width;
      options.height = size.height;
    }
    if (draft.fps !== '') options.fps = Number(draft.fps);
    if (!draft.captions) options.captions = false;
  }
  if (features.upscale && draft.upscale !== '1') options.upscale = draft.upscale === '2' ? 2 : 1.5;
  if (features.script || features.render) {
    const language = draft.language.trim();
    if (language !== '') options.language = language;
  }
  if (features.script && draft.maxWords.trim() !== '') options.maxWords = Number(draft.maxWords.trim());
  if (features.lora && draft.trainLora) options.trainLora = true;
  return options;
}
