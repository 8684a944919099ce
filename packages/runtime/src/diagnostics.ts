/**
 * Diagnostic services, registered on a plane when config enables them (services.diagnostics): they let an
 * operator or a benchmark exercise the engine end to end without media work.
 * - diag.noop: returns at once ({ ok: true, plane }).
 * - diag.sleep: waits params.ms (default 1000), reporting progress params.steps times; honours its signal.
 * - diag.fail: throws MySpinBotError(params.code ?? 'SERVICE_FAILED', params.message); with
 *   params.failAttempts = n it fails only the first n attempts of the node and then succeeds.
 * - diag.echo: returns its resolved input and params (shows what a node receives).
 */
import { MySpinBotError, type Plane } from '@myspinbot/contracts';
import { sleep } from './abort.js';
import type { ServiceDefinition } from './service.js';

function numberParam(params: Readonly<Record<string, unknown>>, key: string, fallback: number): number {
  const value = params[key];
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}

export function diagnosticServices(plane: Plane): ServiceDefinition[] {
  return [
    {
      name: 'diag.noop',
      plane,
      description: 'Returns at once (orchestration checks and benchmarks)',
      async run() {
        return { ok: true, plane };
      },
    },
    {
      name: 'diag.sleep',
      plane,
      description: 'Waits params.ms milliseconds, reporting progress params.steps times',
      async run(_input, ctx) {
        const ms = numberParam(ctx.params, 'ms', 1000);
        const steps = Math.max(1, Math.floor(numberParam(ctx.params, 'steps', 10)));
        for (let i = 1; i <= steps; i++) {
          await sleep(ms / steps, ctx.signal);
          if (ctx.signal.aborted) throw ctx.signal.reason;
          ctx.progress(i / steps, `step ${i} of ${steps}`);
        }
        return { sleptMs: ms, plane };
      },
    },
    {
      name: 'diag.fail',
      plane,
      description: 'Throws an error with params.code and params.message',
      async run(_input, ctx) {
        const failAttempts = numberParam(ctx.params, 'failAttempts', Number.POSITIVE_INFINITY);
        const attempt = ctx.node.attempts ?? 1;
        if (attempt > failAttempts) return { ok: true, attempt, plane };
        const code = typeof ctx.params.code === 'string' ? ctx.params.code : 'SERVICE_FAILED';
        const message =
          typeof ctx.params.message === 'string' ? ctx.params.message : 'diag.fail was asked to fail';
        throw new MySpinBotError(code, message);
      },
    },
    {
      name: 'diag.echo',
      plane,
      description: 'Returns the input and params it received',
      async run(input, ctx) {
        return { input, params: ctx.params, context: ctx.context, plane };
      },
    },
  ];
}
