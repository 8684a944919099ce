/**
 * The machinery the ComfyUI renderer and upscaler share: upload the inputs, inject their names (and the
 * text and seed) into the user's workflow, run it, download the output the spec names.
 *
 * Rules:
 * - the workflow and spec are validated when the engine is built (CONFIG_INVALID), including that the
 *   spec has a target for every input the engine always supplies;
 * - each call uses its own ComfyClient, hence its own client id, so concurrent calls never share a socket;
 * - uploads are named "<stem>-<first 12 hex of SHA-256>.<ext>": the same bytes get the same name, so a
 *   repeated upload is recognised by ComfyUI as a duplicate instead of piling up renamed copies;
 * - progress: uploads 0-5 %, the run 5-95 %, the download 95-100 %, never decreasing;
 * - timeoutMs bounds the whole call; when it passes during the run, the prompt is cancelled on ComfyUI and
 *   the call fails with ENGINE_UNAVAILABLE (retryable).
 */
import { createHash } from 'node:crypto';
import { MySpinBotError } from '@myspinbot/contracts';
import type { EngineCallOptions } from '../types.js';
import { ComfyClient, comfyOutputFiles } from './client.js';
import { COMFY_ENGINE_NAME, combineSignals, deadlineSignal, throwIfAborted } from './errors.js';
import { extensionOf, mediaTypeFor } from './media-types.js';
import { progressRange } from './progress.js';
import type {
  ComfyFileRef,
  ComfyHistoryEntry,
  ComfyInjectionKey,
  ComfyInjectionSpec,
  ComfyInjectionValues,
  ComfyOutputTarget,
  ComfyUploadKind,
  ComfyWorkflow,
} from './types.js';
import {
  checkInjectionSpec,
  injectWorkflow,
  parseComfyWorkflow,
  parseInjectionSpec,
  uploadedInputValue,
} from './workflow.js';

export interface ComfyEngineConfig {
  /** ComfyUI's root URL, e.g. "http://gpu-box:8188". */
  baseUrl: string;
  /** API-format workflow (see loadComfyWorkflow). */
  workflow: ComfyWorkflow;
  /** Where the inputs go and which output is the result. */
  spec: ComfyInjectionSpec;
  /** Deadline of a whole call (upload, run, download), ms. */
  timeoutMs?: number;
  /** Deadline of each HTTP request, ms. Default 60 000. */
  requestTimeoutMs?: number;
  /** /history poll interval when no event socket is available, ms. Default 1000. */
  pollIntervalMs?: number;
}

export interface ComfyEngineDescription {
  name: typeof COMFY_ENGINE_NAME;
  /** The server root, without credentials. */
  url: string;
}

export interface ComfyJobUpload {
  key: 'image' | 'audio';
  bytes: Uint8Array;
  /** Name the upload is derived from (its stem and extension are kept). */
  name: string;
  kind: ComfyUploadKind;
}

export interface ComfyJob {
  uploads: ComfyJobUpload[];
  text?: string;
  seed?: number;
}

export interface ComfyJobResult {
  bytes: Buffer;
  file: ComfyFileRef;
  mediaType: string;
}

/** "<stem>-<hash12>.<ext>" with the stem reduced to safe characters. */
export function uploadName(name: string, bytes: Uint8Array, fallbackExtension: string): string {
  const extension = extensionOf(name) || fallbackExtension;
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  const stem = (dot > 0 ? base.slice(0, dot) : base).replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 40) || 'input';
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
  return `${stem}-${hash}.${extension}`;
}

/** The file the spec names in a finished prompt's outputs. */
function pickOutput(history: ComfyHistoryEntry, output: ComfyOutputTarget): ComfyFileRef {
  const file = comfyOutputFiles(history, output.node, output.kind)[0];
  if (file !== undefined) return file;
  const nodeOutput = history.outputs[output.node];
  if (nodeOutput === undefined) {
    const producers = Object.keys(history.outputs);
    throw new MySpinBotError(
      'SERVICE_FAILED',
      `ComfyUI finished, but node ${output.node} produced no output (nodes with output: ${producers.length === 0 ? 'none' : producers.join(', ')})`,
      { details: { promptId: history.promptId, node: output.node, producers } },
    );
  }
  const kinds = Object.keys(nodeOutput).filter((key) => Array.isArray(nodeOutput[key]));
  throw new MySpinBotError(
    'CONFIG_INVALID',
    `ComfyUI node ${output.node} produced ${kinds.length === 0 ? 'no files' : kinds.join(', ')} but no "${output.kind}"; ` +
      'set inject.output.kind to the key its files are listed under',
    { details: { promptId: history.promptId, node: output.node, kind: output.kind, kinds } },
  );
}

export class ComfyJobRunner {
  private readonly config: ComfyEngineConfig;
  private readonly workflow: ComfyWorkflow;
  private readonly spec: ComfyInjectionSpec;
  private readonly timeoutMs: number;
  private readonly url: string;

  constructor(
    config: ComfyEngineConfig,
    engine: string,
    required: readonly ComfyInjectionKey[],
    defaultTimeoutMs: number,
  ) {
    this.workflow = parseComfyWorkflow(config.workflow, engine);
    this.spec = parseInjectionSpec(config.spec, engine);
    checkInjectionSpec(this.workflow, this.spec);
    const missing = required.filter((key) => this.spec[key] === undefined);
    if (missing.length > 0) {
      throw new MySpinBotError(
        'CONFIG_INVALID',
        `${engine}: the injection spec needs ${missing.map((key) => `inject.${key}`).join(' and ')} (the node input that takes it)`,
        { details: { missing } },
      );
    }
    const timeoutMs = config.timeoutMs ?? defaultTimeoutMs;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new MySpinBotError('CONFIG_INVALID', `${engine}: timeoutMs must be a positive number of ms`);
    }
    this.timeoutMs = timeoutMs;
    this.config = config;
    this.url = this.client().url;
  }

  private client(): ComfyClient {
    return new ComfyClient({
      baseUrl: this.config.baseUrl,
      ...(this.config.requestTimeoutMs === undefined ? {} : { timeoutMs: this.config.requestTimeoutMs }),
      ...(this.config.pollIntervalMs === undefined ? {} : { pollIntervalMs: this.config.pollIntervalMs }),
    });
  }

  describe(): ComfyEngineDescription {
    return { name: COMFY_ENGINE_NAME, url: this.url };
  }

  async run(job: ComfyJob, options: EngineCallOptions, what: string): Promise<ComfyJobResult> {
    throwIfAborted(options.signal);
    const deadline = deadlineSignal(this.timeoutMs, what);
    const signal = combineSignals(options.signal, deadline.signal);
    const phase = progressRange(options.onProgress);
    try {
      const client = this.client();
      const uploading = phase(0, 0.05);
      uploading(0, 'Uploading the inputs to ComfyUI');
      const values: ComfyInjectionValues = {};
      for (const [index, upload] of job.uploads.entries()) {
        const ref = await client.uploadFile(upload.bytes, upload.name, upload.kind, { signal });
        values[upload.key] = uploadedInputValue(ref);
        uploading((index + 1) / job.uploads.length, `Uploaded ${upload.key} as ${ref.filename}`);
      }
      if (job.text !== undefined) values.text = job.text;
      if (job.seed !== undefined) values.seed = job.seed;
      const workflow = injectWorkflow(this.workflow, this.spec, values);
      const { history } = await client.run(workflow, {
        signal,
        onProgress: phase(0.05, 0.95),
        outputNode: this.spec.output.node,
      });
      const file = pickOutput(history, this.spec.output);
      const downloading = phase(0.95, 1);
      downloading(0, `Downloading ${file.filename} from ComfyUI`);
      const bytes = await client.view(file, { signal });
      if (bytes.length === 0) {
        throw new MySpinBotError('SERVICE_FAILED', `ComfyUI returned an empty ${file.filename}`, {
          details: { ...file },
        });
      }
      downloading(1, 'ComfyUI result downloaded');
      return { bytes, file, mediaType: mediaTypeFor(file.filename) };
    } finally {
      deadline.clear();
    }
  }
}
