import { MySpinBotError } from '@myspinbot/contracts';

/** The reason of an aborted signal as a MySpinBotError (NODE_CANCELLED when it is anything else). */
export function abortReason(signal: AbortSignal): MySpinBotError {
  const reason: unknown = signal.reason;
  if (reason instanceof MySpinBotError) return reason;
  return new MySpinBotError('NODE_CANCELLED', reason instanceof Error ? reason.message : 'aborted');
}

/**
 * Settles with the work's result, or rejects with the abort reason as soon as `signal` aborts: a service
 * that ignores its signal cannot hold the executor. The abandoned promise's rejection is swallowed.
 */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(abortReason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => {});
      reject(abortReason(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Waits `ms`, or less when `signal` aborts first; never leaves a listener behind on the signal. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
