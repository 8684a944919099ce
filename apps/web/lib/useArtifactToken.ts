'use client';
/**
 * The artifact token of one job while an API key is in use (media elements and download links cannot send
 * the key): asked for once the job has artifacts, asked for again when TOKEN_REFRESH_AT of its lifetime
 * has passed (on a timer, and when the page comes back to the foreground, since background timers run
 * late), so the URLs built with it keep working. A failed request keeps the last token and tries again.
 */
import { useEffect, useRef, useState } from 'react';
import { type ApiClient, describeError } from './api';
import { TOKEN_REFRESH_AT } from './config';

export interface ArtifactAccess {
  /** True when the job's media URLs need a token (a key is in use). */
  needed: boolean;
  /** The token to put on the job's artifact URLs; null until the first one arrives (or when not needed). */
  token: string | null;
  error: { code: string; message: string } | null;
}

const RETRY_MS = 15_000;

export function useArtifactToken(api: ApiClient, jobId: string, wanted: boolean): ArtifactAccess {
  const needed = wanted && api.hasApiKey;
  const [token, setToken] = useState<{ jobId: string; value: string } | null>(null);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const [round, setRound] = useState(0);
  const refreshAt = useRef(0);

  useEffect(() => {
    // `round` only asks for a new token.
    void round;
    if (!needed) return;
    refreshAt.current = 0;
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const again = (ms: number) => {
      timer = setTimeout(() => setRound((r) => r + 1), ms);
    };
    api
      .artifactToken(jobId, abort.signal)
      .then((issued) => {
        if (abort.signal.aborted) return;
        const refreshInMs = issued.expiresIn * 1000 * TOKEN_REFRESH_AT;
        refreshAt.current = Date.now() + refreshInMs;
        setToken({ jobId, value: issued.token });
        setError(null);
        again(refreshInMs);
      })
      .catch((e: unknown) => {
        if (abort.signal.aborted) return;
        setError(describeError(e));
        again(RETRY_MS);
      });
    const onVisible = () => {
      if (document.visibilityState === 'visible' && refreshAt.current > 0 && Date.now() >= refreshAt.current)
        setRound((r) => r + 1);
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      abort.abort();
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [api, jobId, needed, round]);

  const current = needed && token?.jobId === jobId ? token.value : null;
  return { needed, token: current, error: needed ? error : null };
}
