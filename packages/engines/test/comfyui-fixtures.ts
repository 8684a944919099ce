/** Workflows and specs shaped like real exports, shared by the ComfyUI adapter tests. */
import type { ComfyInjectionSpec, ComfyWorkflow } from '../src/comfyui/types.js';

/** An InfiniteTalk-style talking-portrait workflow (WanVideo wrapper nodes, VideoHelperSuite output). */
export function talkingWorkflow(): ComfyWorkflow {
  return {
    '1': { class_type: 'LoadImage', inputs: { image: 'portrait.png' }, _meta: { title: 'Portrait' } },
    '2': { class_type: 'LoadAudio', inputs: { audio: 'speech.wav' } },
    '3': {
      class_type: 'WanVideoModelLoader',
      inputs: {
        model: 'infinitetalk_14B_fp8.safetensors',
        base_precision: 'bf16',
        quantization: 'fp8_e4m3fn',
      },
    },
    '4': {
      class_type: 'MultiTalkWav2VecEmbeds',
      inputs: { audio_1: ['2', 0], normalize_loudness: true, fps: 25 },
    },
    '5': {
      class_type: 'WanVideoTextEncode',
      inputs: { positive_prompt: 'a person talking', negative_prompt: 'blurry, distorted face' },
    },
    '6': {
      class_type: 'WanVideoImageToVideoMultiTalk',
      inputs: { start_image: ['1', 0], width: 480, height: 832, frame_window_size: 81 },
    },
    '7': {
      class_type: 'WanVideoSampler',
      inputs: {
        model: ['3', 0],
        image_embeds: ['6', 0],
        text_embeds: ['5', 0],
        multitalk_embeds: ['4', 0],
        seed: 42,
        steps: 6,
        cfg: 1,
      },
    },
    '8': { class_type: 'WanVideoDecode', inputs: { samples: ['7', 0], enable_vae_tiling: false } },
    '9': {
      class_type: 'VHS_VideoCombine',
      inputs: {
        images: ['8', 0],
        audio: ['2', 0],
        frame_rate: 25,
        format: 'video/h264-mp4',
        filename_prefix: 'myspinbot',
        save_output: true,
      },
    },
  };
}

export function talkingSpec(): ComfyInjectionSpec {
  return {
    image: { node: '1', input: 'image' },
    audio: { node: '2', input: 'audio' },
    text: { node: '5', input: 'positive_prompt' },
    seed: { node: '7', input: 'seed' },
    output: { node: '9', kind: 'gifs' },
  };
}

/** An ESRGAN-style upscale workflow (core nodes). */
export function upscaleWorkflow(): ComfyWorkflow {
  return {
    '1': { class_type: 'LoadImage', inputs: { image: 'frame.png' } },
    '2': { class_type: 'UpscaleModelLoader', inputs: { model_name: 'RealESRGAN_x4plus.pth' } },
    '3': { class_type: 'ImageUpscaleWithModel', inputs: { upscale_model: ['2', 0], image: ['1', 0] } },
    '4': { class_type: 'SaveImage', inputs: { images: ['3', 0], filename_prefix: 'myspinbot_upscaled' } },
  };
}

export function upscaleSpec(): ComfyInjectionSpec {
  return { image: { node: '1', input: 'image' }, output: { node: '4', kind: 'images' } };
}

/** A tiny PNG-looking portrait and a WAV-looking narration (the stand-in only hashes them). */
export const PORTRAIT = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('face'),
]);
export const NARRATION_WAV = Buffer.concat([
  Buffer.from('RIFF'),
  Buffer.alloc(4),
  Buffer.from('WAVEfmt narration'),
]);

/** Collects progress fractions and checks they stay in 0..1 and never go down. */
export function progressLog(): {
  fractions: number[];
  messages: string[];
  onProgress(f: number, m?: string): void;
} {
  const fractions: number[] = [];
  const messages: string[] = [];
  return {
    fractions,
    messages,
    onProgress(fraction: number, message?: string) {
      fractions.push(fraction);
      if (message !== undefined) messages.push(message);
    },
  };
}

export function isMonotonic(values: readonly number[]): boolean {
  return values.every((value, i) => value >= 0 && value <= 1 && (i === 0 || value >= (values[i - 1] ?? 0)));
}
