'use client';
/** The pipelines users can submit (GET /api/pipelines) and what the planes advertise (GET /api/capabilities). */
import { useCallback, useEffect, useState } from 'react';
import { type ApiClient, describeError } from './api';
import type { CombinedManifest, PipelineList } from './types';

export interface Catalog {
  pipelines: PipelineList | null;
  manifest: CombinedManifest | null;
  loading: boolean;
  error: { code: string; message: string } | null;
  reload(): void;
}

export function useCatalog(api: ApiClient): Catalog {
  const [pipelines, setPipelines] = useState<PipelineList | null>(null);
  const [manifest, setManifest] = useState<CombinedManifest | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const [round, setRound] = useState(0);

  useEffect(() => {
    // `round` only asks for a reload.
    void round;
    const abort = new AbortController();
    setLoading(true);
    setError(null);
    api
      .pipelines(abort.signal)
      .then((list) => setPipelines(list))
      .catch((e: unknown) => {
        if (!abort.signal.aborted) setError(describeError(e));
      })
      .finally(() => {
        if (!abort.signal.aborted) setLoading(false);
      });
    // The manifest only refines the options (and tells whether the data plane answers).
    api
      .capabilities(abort.signal)
      .then((m) => setManifest(m))
      .catch(() => {
        if (!abort.signal.aborted) setManifest(null);
      });
    return () => abort.abort();
  }, [api, round]);

  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { pipelines, manifest, loading, error, reload };
}
