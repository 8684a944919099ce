/**
 * Command-line parsing (node:util parseArgs, strict): every subcommand's flags become one typed object, and
 * every mistake in them is a usage error (exit 2) before anything is read, started or sent. Files are not
 * opened here (a missing file is exit 3, see inputs.ts).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { TrainOptions } from '@myspinbot/contracts';
import type { EnvironmentDefaults } from './env.js';
import { usageError } from './exit-codes.js';
import { parseTrainOptions } from './train-options.js';
import { codeOf, messageOf } from './values.js';

/** Where `npm start` / `myspinbot serve` listen by default: what `status` asks when --server is not given. */
export const DEFAULT_SERVER = 'http://127.0.0.1:3000';

/** How long `generate` waits for its result unless --timeout says otherwise (0 = no limit). */
export const DEFAULT_TIMEOUT_S = 3600;

const PIPELINE_NAME = /^[a-z][a-z0-9-]{0,63}$/;
const JOB_ID = /^[A-Za-z0-9_-]{1,64}$/;

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * parseArgs, with its own errors turned into usage errors: a bad value keeps node's whole explanation
 * (how to pass a value that starts with a dash), other mistakes its first sentence.
 */
function parse<T extends Options>(args: readonly string[], options: T, allowPositionals: boolean) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals });
  } catch (error) {
    const code = codeOf(error);
    if (code?.startsWith('ERR_PARSE_ARGS')) {
      const message = messageOf(error);
      if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw usageError(message);
      throw usageError(message.split(/\.\s/)[0] ?? message);
    }
    throw error;
  }
}

function serverUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError(`--server must be an http(s) URL, not '${raw}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw usageError(`--server must be an http(s) URL, not '${raw}'`);
  return url;
}

export interface GenerateOptions {
  help: boolean;
  image?: string;
  /** Exactly one of prompt / promptFile is set (unless help). */
  prompt?: string;
  promptFile?: string;
  voice?: string;
  voiceText?: string;
  pipeline?: string;
  options: TrainOptions;
  server?: URL;
  apiKey?: string;
  output?: string;
  json: boolean;
  quiet: boolean;
  /** 0: no limit. */
  timeoutMs: number;
}

const GENERATE_FLAGS = {
  image: { type: 'string' },
  prompt: { type: 'string' },
  'prompt-file': { type: 'string' },
  voice: { type: 'string' },
  'voice-text': { type: 'string' },
  pipeline: { type: 'string' },
  option: { type: 'string', multiple: true },
  server: { type: 'string' },
  'api-key': { type: 'string' },
  output: { type: 'string', short: 'o' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

function timeoutMs(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_TIMEOUT_S * 1000;
  const seconds = raw.trim() === '' ? Number.NaN : Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0)
    throw usageError(`--timeout takes a number of seconds (0 = no limit), not '${raw}'`);
  return Math.round(seconds * 1000);
}

/**
 * Rules: a prompt (--prompt or --prompt-file, not both); --image unless --pipeline names a pipeline that
 * may need none (the server then decides); --voice-text only with --voice; --api-key only with --server.
 */
export function parseGenerateArgs(args: readonly string[], env: EnvironmentDefaults): GenerateOptions {
  const { values } = parse(args, GENERATE_FLAGS, false);
  const help = values.help === true;
  const out: GenerateOptions = {
    help,
    options: parseTrainOptions(values.option ?? []),
    json: values.json === true,
    quiet: values.quiet === true,
    timeoutMs: timeoutMs(values.timeout),
  };
  if (help) return out;
  if (values.prompt !== undefined && values['prompt-file'] !== undefined)
    throw usageError('give --prompt or --prompt-file, not both');
  if (values.prompt !== undefined) {
    if (values.prompt.trim() === '') throw usageError('--prompt is empty');
    out.prompt = values.prompt;
  } else if (values['prompt-file'] !== undefined) {
    out.promptFile = values['prompt-file'];
  } else {
    throw usageError('--prompt <text> or --prompt-file <file> is required');
  }
  if (values.pipeline !== undefined) {
    if (!PIPELINE_NAME.test(values.pipeline))
      throw usageError(`--pipeline takes a pipeline name (a-z, 0-9, -), not '${values.pipeline}'`);
    out.pipeline = values.pipeline;
  }
  if (values.image !== undefined) out.image = values.image;
  else if (out.pipeline === undefined)
    throw usageError('--image <file> is required (the default pipeline animates a portrait)');
  if (values.voice !== undefined) out.voice = values.voice;
  if (values['voice-text'] !== undefined) {
    if (out.voice === undefined)
      throw usageError('--voice-text needs --voice (it is the transcript of that sample)');
    out.voiceText = values['voice-text'];
  }
  if (values.server !== undefined) out.server = serverUrl(values.server);
  if (values['api-key'] !== undefined) {
    if (out.server === undefined) throw usageError('--api-key is only used with --server');
    out.apiKey = values['api-key'];
  } else if (out.server !== undefined && env.apiKey !== undefined) {
    out.apiKey = env.apiKey;
  }
  if (values.output !== undefined) {
    if (values.output.trim() === '') throw usageError('--output is empty');
    out.output = values.output;
  }
  return out;
}

export interface StatusOptions {
  help: boolean;
  jobId: string;
  server: URL;
  apiKey?: string;
  json: boolean;
}

const STATUS_FLAGS = {
  server: { type: 'string' },
  'api-key': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

export function parseStatusArgs(args: readonly string[], env: EnvironmentDefaults): StatusOptions {
  const { values, positionals } = parse(args, STATUS_FLAGS, true);
  const help = values.help === true;
  const jobId = positionals[0] ?? '';
  if (!help) {
    if (positionals.length !== 1) throw usageError('status takes one job id: myspinbot status <jobId>');
    if (!JOB_ID.test(jobId)) throw usageError(`'${jobId}' is not a job id (1..64 letters, digits, _ or -)`);
  }
  const apiKey = values['api-key'] ?? env.apiKey;
  return {
    help,
    jobId,
    server: serverUrl(values.server ?? DEFAULT_SERVER),
    json: values.json === true,
    ...(apiKey !== undefined ? { apiKey } : {}),
  };
}

export interface RoleOptions {
  help: boolean;
  host?: string;
  port?: number;
  config?: string;
}

const ROLE_FLAGS = {
  host: { type: 'string' },
  port: { type: 'string' },
  config: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

export function parseRoleArgs(args: readonly string[]): RoleOptions {
  const { values } = parse(args, ROLE_FLAGS, false);
  const out: RoleOptions = { help: values.help === true };
  if (values.port !== undefined) {
    const port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65535)
      throw usageError(`--port takes a TCP port (0..65535), not '${values.port}'`);
    out.port = port;
  }
  if (values.host !== undefined) out.host = values.host;
  if (values.config !== undefined) out.config = values.config;
  return out;
}
