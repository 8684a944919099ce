/**
 * How the ComfyUI adapter turns stops and failures into MySpinBotErrors:
 * - an aborted signal whose reason is a MySpinBotError (a deadline set by the adapter) throws that reason;
 *   any other abort throws NODE_CANCELLED;
 * - an execution_error from ComfyUI is SERVICE_FAILED naming the node, its type and the exception (retryable
 *   only when the exception is an out-of-memory error, which a later run on a quieter GPU may not hit);
 * - an execution_interrupted from ComfyUI is NODE_CANCELLED.
 */
import { MySpinBotError } from '@myspinbot/contracts';

export const COMFY_ENGINE_NAME = 'comfyui';

/** The error an aborted call throws. */
export function abortError(signal: AbortSignal): MySpinBotError {
  const reason: unknown = signal.reason;
  if (reason instanceof MySpinBotError) return reason;
  const detail = reason instanceof Error && reason.message !== '' ? `: ${reason.message}` : '';
  return new MySpinBotError('NODE_CANCELLED', `The ComfyUI run was cancelled${detail}`, { cause: reason });
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw abortError(signal);
}

/**
 * A signal that aborts after timeoutMs with an ENGINE_UNAVAILABLE reason (retryable), so a deadline and a
 * caller's cancellation stay distinguishable once combined with AbortSignal.any.
 */
export function deadlineSignal(timeoutMs: number, what: string): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(
      new MySpinBotError('ENGINE_UNAVAILABLE', `${what} did not finish within ${timeoutMs} ms`, {
        retryable: true,
        details: { timeoutMs },
      }),
    );
  }, timeoutMs);
  timer.unref();
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

/** Caller signal and deadline combined (either may be absent). */
export function combineSignals(...signals: Array<AbortSignal | undefined>): AbortSignal | undefined {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  if (present.length === 0) return undefined;
  if (present.length === 1) return present[0];
  return AbortSignal.any(present);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** SERVICE_FAILED (or NODE_CANCELLED for an interruption) from an execution_error/_interrupted payload. */
export function executionFailure(
  type: 'execution_error' | 'execution_interrupted',
  data: Record<string, unknown>,
  promptId: string,
): MySpinBotError {
  const nodeId = text(data.node_id) ?? '?';
  const nodeType = text(data.node_type) ?? 'unknown node type';
  if (type === 'execution_interrupted') {
    return new MySpinBotError(
      'NODE_CANCELLED',
      `ComfyUI interrupted the run at node ${nodeId} (${nodeType})`,
      { details: { promptId, nodeId, nodeType } },
    );
  }
  const exceptionType = text(data.exception_type) ?? 'Exception';
  const exceptionMessage = (text(data.exception_message) ?? 'no message').trim();
  const traceback = Array.isArray(data.traceback)
    ? data.traceback.filter((line): line is string => typeof line === 'string').slice(-5)
    : [];
  const outOfMemory = /OutOfMemory/i.test(exceptionType) || /out of memory/i.test(exceptionMessage);
  return new MySpinBotError(
    'SERVICE_FAILED',
    `ComfyUI failed in node ${nodeId} (${nodeType}): ${exceptionType}: ${exceptionMessage}`,
    {
      retryable: outOfMemory,
      details: { promptId, nodeId, nodeType, exceptionType, exceptionMessage, traceback },
    },
  );
}
