'use client';
import { useEffect, useState } from 'react';
import { type ApiClient, describeError } from '../lib/api';
import type { ArtifactLink } from '../lib/types';

/** What the steps before the video produced: the narration the script step wrote and the speech. */
export function IntermediateResults({
  api,
  narration,
  audioSrc,
  captionsSrc,
}: {
  api: ApiClient;
  narration?: ArtifactLink;
  /** The speech's address (with the job's artifact token when a key is in use). */
  audioSrc?: string;
  captionsSrc?: string;
}) {
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  // Keyed by address: a fresh copy of the same artifact (a reloaded job) is not fetched again.
  const narrationUrl = narration?.url;
  useEffect(() => {
    if (narrationUrl === undefined) return;
    const abort = new AbortController();
    api
      .text({ url: narrationUrl }, abort.signal)
      .then((body) => setText(body.trim()))
      .catch((e: unknown) => {
        if (abort.signal.aborted) return;
        const { code, message } = describeError(e);
        setError(`${code}: ${message}`);
      });
    return () => abort.abort();
  }, [api, narrationUrl]);

  if (!narration && !audioSrc) return null;
  return (
    <div className="intermediate">
      {narration ? (
        <div className="intermediate__item">
          <h4 className="intermediate__title">Narration</h4>
          {error ? (
            <p className="error">{error}</p>
          ) : (
            <blockquote className="intermediate__text">{text ?? 'Loading…'}</blockquote>
          )}
        </div>
      ) : null}
      {audioSrc ? (
        <div className="intermediate__item">
          <h4 className="intermediate__title">Speech</h4>
          <audio className="intermediate__audio" controls preload="none" src={audioSrc}>
            <track kind="captions" src={captionsSrc} label="Captions" />
          </audio>
        </div>
      ) : null}
    </div>
  );
}
