'use client';
import { useId } from 'react';
import {
  FRAME_SIZES,
  type FrameSize,
  type OptionsDraft,
  type PipelineFeatures,
} from '../lib/pipeline-options';

/** The video options the chosen pipeline uses (frame, captions, upscale, language, length, LoRA). */
export function PipelineOptions({
  features,
  draft,
  problems,
  onChange,
}: {
  features: PipelineFeatures;
  draft: OptionsDraft;
  problems: Partial<Record<'language' | 'maxWords', string>>;
  onChange: (draft: OptionsDraft) => void;
}) {
  const id = useId();
  const set = <K extends keyof OptionsDraft>(key: K, value: OptionsDraft[K]) =>
    onChange({ ...draft, [key]: value });
  const anything = features.render || features.upscale || features.script || features.lora;
  if (!anything) return null;
  const open = problems.language !== undefined || problems.maxWords !== undefined;

  return (
    <details className="options" open={open || undefined}>
      <summary>Video options</summary>
      <div className="options__grid">
        {features.render ? (
          <>
            <div className="field">
              <label htmlFor={`${id}-size`} className="field__label">
                Frame
              </label>
              <select
                id={`${id}-size`}
                value={draft.frameSize}
                onChange={(e) => set('frameSize', e.currentTarget.value as FrameSize)}
              >
                {Object.entries(FRAME_SIZES).map(([value, size]) => (
                  <option key={value} value={value}>
                    {size.label}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${id}-fps`} className="field__label">
                Frame rate
              </label>
              <select
                id={`${id}-fps`}
                value={draft.fps}
                onChange={(e) => set('fps', e.currentTarget.value as OptionsDraft['fps'])}
              >
                <option value="">Server default</option>
                <option value="24">24 fps</option>
                <option value="25">25 fps</option>
                <option value="30">30 fps</option>
              </select>
            </div>
          </>
        ) : null}
        {features.upscale ? (
          <div className="field">
            <label htmlFor={`${id}-upscale`} className="field__label">
              Upscale
            </label>
            <select
              id={`${id}-upscale`}
              value={draft.upscale}
              onChange={(e) => set('upscale', e.currentTarget.value as OptionsDraft['upscale'])}
            >
              <option value="1">None</option>
              <option value="1.5">1.5 ×</option>
              <option value="2">2 ×</option>
            </select>
          </div>
        ) : null}
        {features.script || features.render ? (
          <div className="field">
            <label htmlFor={`${id}-language`} className="field__label">
              Language
            </label>
            <input
              id={`${id}-language`}
              type="text"
              inputMode="text"
              autoComplete="off"
              spellCheck={false}
              placeholder="en"
              value={draft.language}
              aria-invalid={problems.language ? true : undefined}
              aria-describedby={problems.language ? `${id}-language-error` : undefined}
              onChange={(e) => set('language', e.currentTarget.value)}
            />
            {problems.language ? (
              <p id={`${id}-language-error`} className="field__error">
                {problems.language}
              </p>
            ) : null}
          </div>
        ) : null}
        {features.script ? (
          <div className="field">
            <label htmlFor={`${id}-words`} className="field__label">
              Longest narration (words)
            </label>
            <input
              id={`${id}-words`}
              type="number"
              inputMode="numeric"
              min={5}
              max={400}
              placeholder="400"
              value={draft.maxWords}
              aria-invalid={problems.maxWords ? true : undefined}
              aria-describedby={problems.maxWords ? `${id}-words-error` : undefined}
              onChange={(e) => set('maxWords', e.currentTarget.value)}
            />
            {problems.maxWords ? (
              <p id={`${id}-words-error`} className="field__error">
                {problems.maxWords}
              </p>
            ) : null}
          </div>
        ) : null}
        {features.render ? (
          <label className="check">
            <input
              type="checkbox"
              checked={draft.captions}
              onChange={(e) => set('captions', e.currentTarget.checked)}
            />
            Burn captions into the video
          </label>
        ) : null}
        {features.lora ? (
          <label className="check">
            <input
              type="checkbox"
              checked={draft.trainLora}
              onChange={(e) => set('trainLora', e.currentTarget.checked)}
            />
            Also prepare a LoRA dataset
          </label>
        ) : null}
      </div>
    </details>
  );
}
