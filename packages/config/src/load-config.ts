/**
 * Loads a process's configuration once: built-in defaults (config/default.json), then the role's
 * defaults, then an optional file (CONFIG_FILE), then environment variables (ENV_OVERRIDES). The result is
 * validated against AppConfig (packages/contracts/schemas/config.schema.json); a bad value stops start-up
 * with a ConfigError naming the key and where the value came from.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AppConfig, createAjv, formatAjvErrors, MySpinBotError } from '@myspinbot/contracts';
import { ENV_OVERRIDES, type EnvOverride } from './env-overrides.js';

export type ProcessRole = 'api' | 'worker' | 'embedded';

export const DEFAULT_CONFIG_FILE = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'config',
  'default.json',
);

export class ConfigError extends MySpinBotError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('CONFIG_INVALID', message, details === undefined ? {} : { details });
    this.name = 'ConfigError';
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep merge of plain objects; arrays and scalars of `over` replace those of `base`. */
export function mergeConfig(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isObject(current) && isObject(value) ? mergeConfig(current, value) : value;
  }
  return out;
}

function readJsonFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  let parsed: Json;
  try {
    parsed = JSON.parse(text) as Json;
  } catch (error) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(parsed)) throw new ConfigError(`config file ${path} must hold a JSON object`);
  return parsed;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (isObject(next)) {
      node = next;
    } else {
      const created: Record<string, unknown> = {};
      node[part] = created;
      node = created;
    }
  }
  const last = parts[parts.length - 1];
  if (last !== undefined) node[last] = value;
}

function parseEnvValue(override: EnvOverride, raw: string): unknown {
  const where = `${override.path} (from env ${override.env}=${JSON.stringify(raw)})`;
  switch (override.type) {
    case 'integer': {
      if (!/^-?\d+$/.test(raw.trim()))
        throw new ConfigError(`invalid configuration: ${where} must be an integer`);
      return Number(raw.trim());
    }
    case 'boolean': {
      const v = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
      throw new ConfigError(`invalid configuration: ${where} must be true or false`);
    }
    case 'list':
      return raw
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0);
    default:
      return raw;
  }
}

const ROLE_DEFAULTS: Record<ProcessRole, Record<string, unknown>> = {
  api: {},
  worker: { server: { port: 3001 } },
  // The in-process bus holds acknowledged entries in memory until trimmed: trim them often.
  embedded: { bus: { kind: 'memory', timings: { trimIntervalMs: 5000 } } },
};

const validateConfig = createAjv().getSchema<AppConfig>('https://myspinbot.dev/schemas/config.schema.json');

export interface LoadConfigOptions {
  role: ProcessRole;
  env?: Readonly<Record<string, string | undefined>>;
  /** Extra file merged after the defaults (CONFIG_FILE when not given). */
  file?: string;
  /** Overrides applied last (tests, CLI flags). */
  overrides?: Record<string, unknown>;
}

export function loadConfig(options: LoadConfigOptions): AppConfig {
  const env = options.env ?? process.env;
  let merged = mergeConfig(readJsonFile(DEFAULT_CONFIG_FILE), ROLE_DEFAULTS[options.role]);
  const file = options.file ?? env.CONFIG_FILE;
  if (file) merged = mergeConfig(merged, readJsonFile(resolve(file)));
  const sources = new Map<string, string>();
  for (const override of ENV_OVERRIDES) {
    const raw = env[override.env];
    if (raw === undefined) continue;
    setPath(merged, override.path, parseEnvValue(override, raw));
    sources.set(override.path, override.env);
    // A Redis URL selects the Redis bus unless BUS_KIND says otherwise.
    if (override.env === 'REDIS_URL' && env.BUS_KIND === undefined) setPath(merged, 'bus.kind', 'redis');
  }
  if (options.overrides) merged = mergeConfig(merged, options.overrides);
  if (!validateConfig) throw new Error('config schema is not published');
  if (!validateConfig(merged)) {
    const problems = formatAjvErrors(validateConfig.errors).map((p) => {
      const [path = '', ...rest] = p.split(': ');
      const key = path === '(root)' ? '(root)' : path.replace(/^\//, '').replaceAll('/', '.');
      const source = sources.get(key);
      return `${key}${source ? ` (from env ${source})` : ''}: ${rest.join(': ')}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`, { problems });
  }
  const config = merged as unknown as AppConfig;
  if (options.role !== 'embedded' && config.bus.kind === 'memory') {
    throw new ConfigError(
      `invalid configuration: bus.kind is 'memory' but the ${options.role} role runs in its own process and needs the Redis bus`,
    );
  }
  if (config.bus.timings.heartbeatIntervalMs * 2 > config.bus.timings.visibilityTimeoutMs) {
    throw new ConfigError(
      'invalid configuration: bus.timings.heartbeatIntervalMs must be at most half of bus.timings.visibilityTimeoutMs, or long nodes lose their claim',
    );
  }
  return config;
}
