'use client';
import { type Ref, useEffect, useId, useState } from 'react';
import { useLimits } from '../lib/limits';
import type { PortraitCheck } from '../lib/validation';
import { formatMiB, imageKinds } from '../lib/validation';

/** The portrait file input, with a preview of the chosen photo and what the checks found. */
export function PortraitPicker({
  file,
  check,
  required,
  showError,
  onChange,
  onUndecodable,
  inputRef,
}: {
  file: File | null;
  check: PortraitCheck | 'checking' | null;
  required: boolean;
  showError: boolean;
  onChange: (file: File | null) => void;
  /** The browser could not decode the image for the preview (damaged file). */
  onUndecodable: () => void;
  inputRef?: Ref<HTMLInputElement>;
}) {
  const id = useId();
  const limits = useLimits();
  const [preview, setPreview] = useState<string | null>(null);

  useEffect(() => {
    if (!file) {
      setPreview(null);
      return;
    }
    const url = URL.createObjectURL(file);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);

  const problem = check !== null && check !== 'checking' && !check.ok ? check.message : null;
  const missing = required && file === null ? 'Choose a portrait photo.' : null;
  const error = problem ?? (showError ? missing : null);
  const valid = check !== null && check !== 'checking' && check.ok ? check : null;

  return (
    <div className="field">
      <label htmlFor={id} className="field__label">
        Portrait photo{required ? '' : ' (optional for this pipeline)'}
      </label>
      <div className="portrait">
        <div className="portrait__frame">
          {preview && !problem ? (
            // biome-ignore lint/performance/noImgElement: a local blob: preview; next/image adds nothing here.
            <img
              src={preview}
              alt="Preview of the chosen portrait"
              className="portrait__image"
              onError={onUndecodable}
            />
          ) : (
            <svg className="portrait__placeholder" viewBox="0 0 64 64" aria-hidden="true" focusable="false">
              <circle cx="32" cy="24" r="11" />
              <path d="M12 58c2-12 10-18 20-18s18 6 20 18z" />
            </svg>
          )}
        </div>
        <div className="portrait__controls">
          <input
            id={id}
            ref={inputRef}
            className="file-input"
            type="file"
            accept={limits.imageTypes.join(',')}
            aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
            aria-invalid={error ? true : undefined}
            onChange={(event) => onChange(event.currentTarget.files?.[0] ?? null)}
          />
          <p id={`${id}-hint`} className="hint">
            {imageKinds(limits)} with one face, up to {formatMiB(limits.imageBytes)}, {limits.imageMinSide}–
            {limits.imageMaxSide} px a side.
          </p>
          {check === 'checking' ? <p className="hint">Checking the image…</p> : null}
          {valid ? (
            <p className="hint hint--ok">
              {valid.format.toUpperCase()}, {valid.width} × {valid.height} px
            </p>
          ) : null}
          {error ? (
            <p id={`${id}-error`} className="field__error">
              {error}
            </p>
          ) : null}
        </div>
      </div>
    </div>
  );
}
