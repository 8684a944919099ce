/** Cancellation helpers: an aborted signal always surfaces as a MySpinBotError. */
import { MySpinBotError } from '@myspinbot/contracts';

/** The error an aborted call throws: the signal's reason when it already is a MySpinBotError, else NODE_CANCELLED. */
export function cancelledError(signal: AbortSignal): MySpinBotError {
  const reason: unknown = signal.reason;
  if (reason instanceof MySpinBotError) return reason;
  const detail = reason instanceof Error && reason.message !== '' ? `: ${reason.message}` : '';
  return new MySpinBotError('NODE_CANCELLED', `Speech synthesis was cancelled${detail}`, { cause: reason });
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw cancelledError(signal);
}

/** Lets timers, I/O and abort listeners run before continuing. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
