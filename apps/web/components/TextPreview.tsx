'use client';
import { useState } from 'react';
import { type ApiClient, describeError } from '../lib/api';
import type { ArtifactLink } from '../lib/types';

/** A disclosure that fetches a small text artifact (script, narration) the first time it is opened. */
export function TextPreview({
  api,
  artifact,
  label,
}: {
  api: ApiClient;
  artifact: ArtifactLink;
  label: string;
}) {
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = () => {
    if (text !== null) return;
    api
      .text(artifact)
      .then((body) => setText(prettify(body, artifact.contentType)))
      .catch((e: unknown) => {
        const { code, message } = describeError(e);
        setError(`${code}: ${message}`);
      });
  };

  return (
    <details
      className="preview"
      onToggle={(event) => {
        if (event.currentTarget.open) load();
      }}
    >
      <summary>{label}</summary>
      {error ? <p className="error">{error}</p> : <pre className="preview__text">{text ?? 'Loading…'}</pre>}
    </details>
  );
}

function prettify(body: string, contentType: string): string {
  if (!contentType.startsWith('application/json')) return body;
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}
