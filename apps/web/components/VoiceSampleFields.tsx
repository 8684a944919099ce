'use client';
import { type Ref, useId } from 'react';
import { useLimits } from '../lib/limits';
import type { VoiceCheck } from '../lib/validation';
import { formatMiB } from '../lib/validation';

/** What the file picker offers: WAV under each name browsers give it (the check goes by content). */
const WAV_ACCEPT = 'audio/wav,audio/x-wav,audio/wave,.wav';

/** The optional voice sample (WAV) and its transcript. */
export function VoiceSampleFields({
  check,
  transcript,
  transcriptError,
  onFile,
  onTranscript,
  inputRef,
  transcriptRef,
}: {
  check: VoiceCheck | 'checking' | null;
  transcript: string;
  transcriptError: string | null;
  onFile: (file: File | null) => void;
  onTranscript: (text: string) => void;
  inputRef?: Ref<HTMLInputElement>;
  transcriptRef?: Ref<HTMLTextAreaElement>;
}) {
  const id = useId();
  const limits = useLimits();
  const problem = check !== null && check !== 'checking' && !check.ok ? check.message : null;
  const valid = check !== null && check !== 'checking' && check.ok ? check : null;
  return (
    <fieldset className="fieldset">
      <legend>Voice (optional)</legend>
      <div className="field">
        <label htmlFor={`${id}-file`} className="field__label">
          Voice sample
        </label>
        <input
          id={`${id}-file`}
          ref={inputRef}
          className="file-input"
          type="file"
          accept={WAV_ACCEPT}
          aria-describedby={`${id}-hint${problem ? ` ${id}-error` : ''}`}
          aria-invalid={problem ? true : undefined}
          onChange={(event) => onFile(event.currentTarget.files?.[0] ?? null)}
        />
        <p id={`${id}-hint`} className="hint">
          A WAV recording of the voice to imitate, {limits.voiceMinSeconds}–{limits.voiceMaxSeconds} s, up to{' '}
          {formatMiB(limits.voiceBytes)}.
        </p>
        {check === 'checking' ? <p className="hint">Checking the recording…</p> : null}
        {valid ? <p className="hint hint--ok">WAV, {valid.durationS.toFixed(1)} s</p> : null}
        {problem ? (
          <p id={`${id}-error`} className="field__error">
            {problem}
          </p>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor={`${id}-text`} className="field__label">
          Transcript of the sample
        </label>
        <textarea
          id={`${id}-text`}
          ref={transcriptRef}
          rows={2}
          value={transcript}
          disabled={!valid && transcript === ''}
          aria-describedby={`${id}-text-hint${transcriptError ? ` ${id}-text-error` : ''}`}
          aria-invalid={transcriptError ? true : undefined}
          onChange={(event) => onTranscript(event.currentTarget.value)}
        />
        <p id={`${id}-text-hint`} className="hint">
          What is said in the sample; it helps voice-cloning engines.
        </p>
        {transcriptError ? (
          <p id={`${id}-text-error`} className="field__error">
            {transcriptError}
          </p>
        ) : null}
      </div>
    </fieldset>
  );
}
