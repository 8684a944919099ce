'use client';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { describeError } from '../lib/api';
import type { UploadLimits } from '../lib/config';
import { useLimits } from '../lib/limits';
import {
  checkOptions,
  DEFAULT_OPTIONS,
  type OptionsDraft,
  pipelineFeatures,
  toTrainOptions,
} from '../lib/pipeline-options';
import type { CombinedManifest, PipelineList, TrainAccepted, TrainRequest } from '../lib/types';
import {
  checkPortrait,
  checkPrompt,
  checkVoiceSample,
  checkVoiceText,
  type PortraitCheck,
  type VoiceCheck,
} from '../lib/validation';
import { PipelineOptions } from './PipelineOptions';
import { PortraitPicker } from './PortraitPicker';
import { VoiceSampleFields } from './VoiceSampleFields';

/**
 * Runs an async check of the latest file only (a slower check of an older file is dropped), again when
 * the limits change (the server's arrive after the page starts).
 */
function useFileCheck<T>(
  file: File | null,
  check: (file: File, limits: UploadLimits) => Promise<T>,
  limits: UploadLimits,
): [T | 'checking' | null, (v: T) => void] {
  const [result, setResult] = useState<T | 'checking' | null>(null);
  const checkRef = useRef(check);
  useEffect(() => {
    if (!file) {
      setResult(null);
      return;
    }
    let current = true;
    setResult('checking');
    checkRef
      .current(file, limits)
      .then((r) => {
        if (current) setResult(r);
      })
      .catch(() => {
        if (current) setResult(null);
      });
    return () => {
      current = false;
    };
  }, [file, limits]);
  return [result, setResult];
}

/**
 * The form that starts a job: portrait (with preview), prompt, optional voice sample and transcript, and
 * the pipeline and its options as the server offers them. Everything is checked before it is sent, with
 * the same limits as the server; the server's answer (an error code and message) is shown as it is.
 */
export function UploadForm({
  pipelines,
  manifest,
  catalogError,
  onReloadCatalog,
  onSubmit,
  onSubmitted,
}: {
  pipelines: PipelineList | null;
  manifest: CombinedManifest | null;
  catalogError: { code: string; message: string } | null;
  onReloadCatalog: () => void;
  onSubmit: (request: TrainRequest) => Promise<TrainAccepted>;
  onSubmitted: (accepted: TrainAccepted) => void;
}) {
  const id = useId();
  const limits = useLimits();
  const [image, setImage] = useState<File | null>(null);
  const [imageCheck, setImageCheck] = useFileCheck<PortraitCheck>(image, checkPortrait, limits);
  const [prompt, setPrompt] = useState('');
  const [voice, setVoice] = useState<File | null>(null);
  const [voiceCheck] = useFileCheck<VoiceCheck>(voice, checkVoiceSample, limits);
  const [voiceText, setVoiceText] = useState('');
  const [pipelineName, setPipelineName] = useState('');
  const [draft, setDraft] = useState<OptionsDraft>(DEFAULT_OPTIONS);
  const [attempted, setAttempted] = useState(false);
  const [promptTouched, setPromptTouched] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [serverError, setServerError] = useState<{ code: string; message: string } | null>(null);
  const [notice, setNotice] = useState('');

  const imageRef = useRef<HTMLInputElement>(null);
  const promptRef = useRef<HTMLTextAreaElement>(null);
  const voiceRef = useRef<HTMLInputElement>(null);
  const voiceTextRef = useRef<HTMLTextAreaElement>(null);
  const errorRef = useRef<HTMLDivElement>(null);

  // The server's default pipeline until the user picks another.
  const available = pipelines?.pipelines ?? [];
  const selectedName = pipelineName || pipelines?.default || '';
  const pipeline = available.find((p) => p.name === selectedName);
  const features = pipelineFeatures(pipeline, manifest);

  const promptProblem = checkPrompt(prompt, limits);
  const voiceTextProblem = checkVoiceText(voiceText, features.voice && voice !== null, limits);
  const optionProblems = checkOptions(draft, features);
  const imageMissing = features.image && image === null;
  const imageBad = imageCheck !== null && imageCheck !== 'checking' && !imageCheck.ok;
  const voiceBad = features.voice && voiceCheck !== null && voiceCheck !== 'checking' && !voiceCheck.ok;
  const checking = imageCheck === 'checking' || voiceCheck === 'checking';
  const pipelineUnavailable = pipeline !== undefined && !pipeline.available;
  const silentPlanes = manifest?.unavailable ?? [];

  const firstProblem = (): HTMLElement | null => {
    if (imageMissing || imageBad) return imageRef.current;
    if (promptProblem) return promptRef.current;
    if (voiceBad) return voiceRef.current;
    if (voiceTextProblem) return voiceTextRef.current;
    return null;
  };

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setAttempted(true);
    setServerError(null);
    setNotice('');
    const problem = firstProblem();
    if (problem || Object.keys(optionProblems).length > 0) {
      problem?.focus();
      return;
    }
    if (checking) {
      setNotice('The files are still being checked; try again in a moment.');
      return;
    }
    if (pipeline && pipelineUnavailable) {
      setServerError({
        code: 'PIPELINE_UNAVAILABLE',
        message: `${pipeline.name} cannot run now: no plane offers ${pipeline.missing.join(', ')}.`,
      });
      return;
    }
    const request: TrainRequest = {
      prompt: prompt.trim(),
      options: toTrainOptions(draft, features),
      ...(features.image && image ? { image } : {}),
      ...(features.voice && voice ? { voice } : {}),
      ...(features.voice && voice && voiceText.trim() ? { voiceText: voiceText.trim() } : {}),
      ...(pipeline ? { pipeline: pipeline.name } : {}),
    };
    setSubmitting(true);
    try {
      const accepted = await onSubmit(request);
      setAttempted(false);
      setNotice(`Job ${accepted.jobId.slice(0, 8)} started.`);
      onSubmitted(accepted);
    } catch (error) {
      setServerError(describeError(error));
      // Move to the message so keyboard and screen reader users hear it.
      requestAnimationFrame(() => errorRef.current?.focus());
    } finally {
      setSubmitting(false);
    }
  }

  const showPromptError = (attempted || promptTouched) && promptProblem !== null;
  const promptLength = prompt.trim().length;

  return (
    <form className="upload" onSubmit={submit} noValidate aria-describedby={`${id}-intro`}>
      <p id={`${id}-intro`} className="muted">
        A portrait and what it should say: MySpinBot writes the narration, speaks it and animates the face.
      </p>

      {catalogError ? (
        <div className="notice notice--warning" role="status">
          <p>
            The pipelines could not be loaded (<code>{catalogError.code}</code> {catalogError.message}); the
            server's default pipeline will be used.
          </p>
          <button type="button" className="button button--small" onClick={onReloadCatalog}>
            Try again
          </button>
        </div>
      ) : null}
      {silentPlanes.length > 0 ? (
        <div className="notice notice--warning" role="status">
          {silentPlanes.map((p) => (
            <p key={p.plane}>
              The {p.plane === 'python' ? 'data' : 'control'} plane did not answer ({p.reason}). Jobs wait in
              the queue until a worker is up.
            </p>
          ))}
        </div>
      ) : null}

      {features.image ? (
        <PortraitPicker
          file={image}
          check={imageCheck}
          required={features.image}
          showError={attempted}
          inputRef={imageRef}
          onChange={(file) => {
            setServerError(null);
            setImage(file);
          }}
          onUndecodable={() =>
            setImageCheck({ ok: false, message: 'The image could not be decoded: the file is damaged.' })
          }
        />
      ) : null}

      <div className="field">
        <label htmlFor={`${id}-prompt`} className="field__label">
          Prompt
        </label>
        <textarea
          id={`${id}-prompt`}
          ref={promptRef}
          rows={5}
          value={prompt}
          placeholder="Say hello to my students and tell them why dreams matter."
          aria-describedby={`${id}-prompt-count${showPromptError ? ` ${id}-prompt-error` : ''}`}
          aria-invalid={showPromptError ? true : undefined}
          onChange={(event) => setPrompt(event.currentTarget.value)}
          onBlur={() => setPromptTouched(true)}
        />
        <p
          id={`${id}-prompt-count`}
          className={`hint counter${promptLength > limits.promptChars ? ' counter--over' : ''}`}
        >
          {promptLength} / {limits.promptChars} characters
        </p>
        {showPromptError ? (
          <p id={`${id}-prompt-error`} className="field__error">
            {promptProblem}
          </p>
        ) : null}
      </div>

      {features.voice ? (
        <VoiceSampleFields
          check={voiceCheck}
          transcript={voiceText}
          transcriptError={voiceText.trim() !== '' || attempted ? voiceTextProblem : null}
          inputRef={voiceRef}
          transcriptRef={voiceTextRef}
          onFile={(file) => {
            setServerError(null);
            setVoice(file);
          }}
          onTranscript={setVoiceText}
        />
      ) : null}

      {catalogError === null ? (
        // Shown (disabled) while the list loads, so the form does not jump when it arrives.
        <div className="field">
          <label htmlFor={`${id}-pipeline`} className="field__label">
            Pipeline
          </label>
          <select
            id={`${id}-pipeline`}
            value={selectedName}
            disabled={pipelines === null}
            aria-describedby={`${id}-pipeline-hint`}
            onChange={(event) => setPipelineName(event.currentTarget.value)}
          >
            {pipelines === null ? <option value="">Loading the pipelines…</option> : null}
            {available.map((p) => (
              <option key={p.name} value={p.name} disabled={!p.available}>
                {p.name}
                {p.available ? '' : ' (unavailable)'}
              </option>
            ))}
          </select>
          <p id={`${id}-pipeline-hint`} className="hint">
            {pipeline?.description ?? '\u00a0'}
            {pipeline && !pipeline.available ? ` Missing: ${pipeline.missing.join(', ')}.` : ''}
          </p>
        </div>
      ) : null}

      <PipelineOptions features={features} draft={draft} problems={optionProblems} onChange={setDraft} />

      <div ref={errorRef} tabIndex={-1} className="upload__feedback" aria-live="assertive">
        {serverError ? (
          <p className="error">
            The job was not started: <code>{serverError.code}</code> {serverError.message}
          </p>
        ) : null}
      </div>
      <p className="visually-hidden" aria-live="polite">
        {notice}
      </p>

      <button type="submit" className="button button--primary button--large" disabled={submitting}>
        {submitting ? 'Uploading…' : 'Create the video'}
      </button>
    </form>
  );
}
