// @vitest-environment jsdom
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UploadForm } from '../components/UploadForm';
import { ApiError } from '../lib/api';
import type { CombinedManifest, TrainAccepted, TrainRequest } from '../lib/types';
import { at, PIPELINES } from './support/fixtures';

const TESTDATA = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'testdata');
const portrait = () =>
  new File([new Uint8Array(readFileSync(join(TESTDATA, 'carl_jung.jpg')))], 'carl_jung.jpg', {
    type: 'image/jpeg',
  });
const voiceSample = () =>
  new File([new Uint8Array(readFileSync(join(TESTDATA, 'carl_jung.wav')))], 'carl_jung.wav', {
    type: 'audio/wav',
  });

const MANIFEST: CombinedManifest = {
  planes: { node: null, python: null },
  services: [
    'node/artifacts.prepareAssets',
    'node/script.generateScript',
    'python/finalize_video',
    'python/render_video',
    'python/synthesize_speech',
    'python/train_lora',
  ],
  unavailable: [],
  generatedAt: at(0),
};

const ACCEPTED: TrainAccepted = { jobId: 'a1b2c3d4-0000-4000-8000-000000000000', status: 'queued' };

function setup(
  overrides: { onSubmit?: (r: TrainRequest) => Promise<TrainAccepted>; manifest?: CombinedManifest } = {},
) {
  const onSubmit = vi.fn(overrides.onSubmit ?? (async () => ACCEPTED));
  const onSubmitted = vi.fn();
  render(
    <UploadForm
      pipelines={PIPELINES}
      manifest={overrides.manifest ?? MANIFEST}
      catalogError={null}
      onReloadCatalog={() => {}}
      onSubmit={onSubmit}
      onSubmitted={onSubmitted}
    />,
  );
  return { onSubmit, onSubmitted, user: userEvent.setup() };
}

const created: string[] = [];
beforeEach(() => {
  URL.createObjectURL = vi.fn((blob: Blob) => {
    created.push(blob instanceof File ? blob.name : 'blob');
    return `blob:preview-${created.length}`;
  });
  URL.revokeObjectURL = vi.fn();
});

afterEach(cleanup);

describe('UploadForm', () => {
  it('offers the pipelines from the server, unavailable ones disabled, and the options the pipeline uses', async () => {
    const { user } = setup();
    const select = screen.getByLabelText('Pipeline');
    if (!(select instanceof HTMLSelectElement)) throw new Error('the pipeline field is not a select');
    expect(select.value).toBe('talking-portrait');
    expect([...select.options].map((o) => [o.value, o.disabled])).toEqual([
      ['talking-portrait', false],
      ['talking-portrait-comfyui', true],
      ['script-lora', false],
    ]);
    expect(screen.getByText('Portrait + prompt -> talking portrait')).toBeTruthy();

    await user.click(screen.getByText('Video options'));
    for (const label of ['Frame', 'Frame rate', 'Upscale', 'Language', 'Longest narration (words)'])
      expect(screen.getByLabelText(label)).toBeTruthy();
    expect(screen.getByRole('checkbox', { name: 'Burn captions into the video' })).toBeTruthy();
    expect(screen.getByRole('checkbox', { name: 'Also prepare a LoRA dataset' })).toBeTruthy();
    expect(screen.getByRole('group', { name: 'Voice (optional)' })).toBeTruthy();

    // A pipeline without rendering or voice input: those fields go away.
    await user.selectOptions(select, 'script-lora');
    expect(screen.queryByLabelText('Frame')).toBeNull();
    expect(screen.queryByLabelText('Upscale')).toBeNull();
    expect(screen.queryByRole('group', { name: 'Voice (optional)' })).toBeNull();
    expect(screen.getByLabelText('Longest narration (words)')).toBeTruthy();
  });

  it('hides the options the planes do not advertise', async () => {
    const { user } = setup({
      manifest: { ...MANIFEST, services: MANIFEST.services.filter((s) => s !== 'python/train_lora') },
    });
    await user.click(screen.getByText('Video options'));
    expect(screen.queryByRole('checkbox', { name: 'Also prepare a LoRA dataset' })).toBeNull();
  });

  it('checks the portrait by content and the prompt before sending, and focuses the first problem', async () => {
    const { user, onSubmit } = setup();
    await user.click(screen.getByRole('button', { name: 'Create the video' }));
    expect(onSubmit).not.toHaveBeenCalled();
    const image = screen.getByLabelText('Portrait photo');
    expect(document.activeElement).toBe(image);
    expect(screen.getByText('Choose a portrait photo.')).toBeTruthy();
    expect(screen.getByText('Write a prompt: what should the portrait say?')).toBeTruthy();

    // Named and typed as a JPEG, but it is text.
    await user.upload(image, new File(['just some text'], 'fake.jpg', { type: 'image/jpeg' }));
    expect(await screen.findByText('The image must be a JPEG, PNG or WebP file.')).toBeTruthy();
    expect(image.getAttribute('aria-invalid')).toBe('true');

    await user.upload(image, portrait());
    expect(await screen.findByText('JPEG, 512 × 512 px')).toBeTruthy();
    expect(screen.getByRole('img', { name: 'Preview of the chosen portrait' }).getAttribute('src')).toMatch(
      /^blob:preview/,
    );

    await user.click(screen.getByRole('button', { name: 'Create the video' }));
    expect(document.activeElement).toBe(screen.getByLabelText('Prompt'));
    await user.click(screen.getByLabelText('Prompt'));
    await user.paste('a'.repeat(4001));
    expect(screen.getByText('4001 / 4000 characters')).toBeTruthy();
    expect(screen.getByText('The prompt has 4001 characters; the limit is 4000.')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Create the video' }));
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('sends the portrait, the prompt, the voice sample, the transcript and the chosen options', async () => {
    const { user, onSubmit, onSubmitted } = setup();
    await user.upload(screen.getByLabelText('Portrait photo'), portrait());
    await user.type(screen.getByLabelText('Prompt'), '  Tell them why dreams matter.  ');
    const transcript = screen.getByLabelText('Transcript of the sample');
    expect(transcript.hasAttribute('disabled')).toBe(true);
    await user.upload(screen.getByLabelText('Voice sample'), voiceSample());
    expect(await screen.findByText(/^WAV, \d+\.\d s$/)).toBeTruthy();
    expect(transcript.hasAttribute('disabled')).toBe(false);
    await user.type(transcript, 'The words of the sample.');
    await user.click(screen.getByText('Video options'));
    await user.selectOptions(screen.getByLabelText('Frame'), 'portrait');
    await user.click(screen.getByRole('checkbox', { name: 'Burn captions into the video' }));
    await user.type(screen.getByLabelText('Language'), 'en-GB');

    await user.click(screen.getByRole('button', { name: 'Create the video' }));
    await waitFor(() => expect(onSubmitted).toHaveBeenCalledWith(ACCEPTED));
    const request = onSubmit.mock.calls[0]?.[0];
    expect(request).toMatchObject({
      prompt: 'Tell them why dreams matter.',
      voiceText: 'The words of the sample.',
      pipeline: 'talking-portrait',
      options: { width: 720, height: 1280, captions: false, language: 'en-GB' },
    });
    expect(request?.image).toBeInstanceOf(File);
    expect(request?.voice).toBeInstanceOf(File);
    expect(screen.getByText('Job a1b2c3d4 started.')).toBeTruthy();
  });

  it('refuses a voice sample that is not WAV', async () => {
    const { user } = setup();
    const input = screen.getByLabelText('Voice sample');
    await user.upload(
      input,
      new File([new Uint8Array([0x49, 0x44, 0x33, 4, 0, 0])], 'voice.wav', { type: 'audio/wav' }),
    );
    expect(await screen.findByText('The voice sample must be a WAV file (PCM or float).')).toBeTruthy();
  });

  it('shows the code and message of a refused job and moves the focus to them', async () => {
    const { user, onSubmitted } = setup({
      onSubmit: async () => {
        throw new ApiError(422, 'PIPELINE_UNKNOWN', "no pipeline named 'x'");
      },
    });
    await user.upload(screen.getByLabelText('Portrait photo'), portrait());
    await user.type(screen.getByLabelText('Prompt'), 'Hello');
    await screen.findByText('JPEG, 512 × 512 px');
    await user.click(screen.getByRole('button', { name: 'Create the video' }));
    const message = await screen.findByText(/The job was not started/);
    expect(within(message).getByText('PIPELINE_UNKNOWN')).toBeTruthy();
    expect(message.textContent).toContain("no pipeline named 'x'");
    await waitFor(() => expect(document.activeElement?.contains(message)).toBe(true));
    expect(onSubmitted).not.toHaveBeenCalled();
  });
});
