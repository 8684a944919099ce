/** Cancellation for script writers: an aborted signal always surfaces as a MySpinBotError. */
import { MySpinBotError } from '@myspinbot/contracts';

/** The signal's reason when it already is a MySpinBotError, else NODE_CANCELLED. */
export function scriptCancelledError(signal: AbortSignal): MySpinBotError {
  const reason: unknown = signal.reason;
  if (reason instanceof MySpinBotError) return reason;
  const detail = reason instanceof Error && reason.message !== '' ? `: ${reason.message}` : '';
  return new MySpinBotError('NODE_CANCELLED', `Script writing was cancelled${detail}`, { cause: reason });
}

export function throwIfScriptAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw scriptCancelledError(signal);
}
