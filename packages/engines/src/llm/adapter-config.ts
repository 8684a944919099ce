/** Checks of the settings the LLM adapters share; every failure is CONFIG_INVALID naming the field. */
import { MySpinBotError } from '@myspinbot/contracts';
import { normaliseBaseUrl } from '../http/base-url.js';

/** Whole-request deadline when none is configured (ms): local models can take a while on first load. */
export const DEFAULT_LLM_TIMEOUT_MS = 120_000;

/** The server root without trailing slashes or the given API suffix ("/api", "/v1"). */
export function adapterBaseUrl(baseUrl: unknown, writer: string, suffix: string): string {
  if (typeof baseUrl !== 'string' || baseUrl.trim() === '') {
    throw new MySpinBotError('CONFIG_INVALID', `${writer}: "url" (the server's base URL) is required`);
  }
  const root = normaliseBaseUrl(baseUrl.trim(), writer);
  return root.endsWith(suffix) ? root.slice(0, -suffix.length) : root;
}

export function adapterModel(model: unknown, writer: string): string {
  if (typeof model !== 'string' || model.trim() === '') {
    throw new MySpinBotError('CONFIG_INVALID', `${writer}: "model" (the model name) is required`);
  }
  return model.trim();
}

export function adapterTimeout(timeoutMs: unknown, writer: string): number {
  if (timeoutMs === undefined || timeoutMs === null) return DEFAULT_LLM_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new MySpinBotError(
      'CONFIG_INVALID',
      `${writer}: "timeoutMs" must be a positive number of milliseconds`,
    );
  }
  return timeoutMs;
}

export function adapterTemperature(temperature: unknown, writer: string): number | undefined {
  if (temperature === undefined || temperature === null) return undefined;
  if (
    typeof temperature !== 'number' ||
    !Number.isFinite(temperature) ||
    temperature < 0 ||
    temperature > 2
  ) {
    throw new MySpinBotError('CONFIG_INVALID', `${writer}: "temperature" must be a number from 0 to 2`);
  }
  return temperature;
}

/** A property of a JSON value, or undefined when the value is not an object. */
export function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)[name]
    : undefined;
}

/** The error for a 2xx answer that lacks what the protocol promises (not retryable: another protocol). */
export function protocolError(writer: string, url: string, what: string): MySpinBotError {
  return new MySpinBotError('ENGINE_UNAVAILABLE', `${writer} answered without ${what} (${url})`, {
    retryable: false,
    details: { url },
  });
}
