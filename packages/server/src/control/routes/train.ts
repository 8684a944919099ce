/**
 * POST /api/train: multipart with `image` (portrait, required by the pipelines that need it), `prompt`
 * (required), optional `voice` (WAV sample), `voiceText` (its transcript), `pipeline`, `options` (JSON,
 * train.schema.json#/$defs/TrainOptions) and `callbackUrl`. Every part is checked (names, sizes, content)
 * before anything is stored; the answer is 202 {jobId, status, pipeline}.
 */
import { MySpinBotError, type TrainOptions, validatorFor } from '@myspinbot/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CreateJobRequest, JobService, Upload } from '../jobs/job-service.js';
import { checkCallbackUrl } from '../jobs/webhooks.js';
import { inspectImage, inspectVoice } from '../uploads/inspect.js';

const trainOptionsValidator = validatorFor<TrainOptions>('train.schema.json#/$defs/TrainOptions', 'options');

export interface TrainLimits {
  maxImageBytes: number;
  maxVoiceBytes: number;
  maxPromptChars: number;
  maxVoiceTextChars: number;
  callbackHosts: readonly string[];
}

const FIELDS = new Set(['prompt', 'voiceText', 'pipeline', 'options', 'callbackUrl']);
const FILES = new Set(['image', 'voice']);

function textField(name: string, value: string, max: number): string {
  const text = value.trim();
  if (text.length > max)
    throw new MySpinBotError('INPUT_TOO_LARGE', `${name} is ${text.length} characters; the limit is ${max}`);
  return text;
}

/** Any failure of the multipart parser itself (no boundary, a cut body) is the client's: 400. */
async function readForm(request: FastifyRequest, limits: TrainLimits) {
  try {
    return await readParts(request, limits);
  } catch (error) {
    if (error instanceof MySpinBotError) throw error;
    const status = (error as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) throw error;
    throw new MySpinBotError('BAD_REQUEST', `malformed multipart body: ${(error as Error).message}`);
  }
}

async function readParts(request: FastifyRequest, limits: TrainLimits) {
  if (!request.isMultipart()) {
    throw new MySpinBotError('UNSUPPORTED_MEDIA_TYPE', 'POST /api/train takes multipart/form-data');
  }
  const fields = new Map<string, string>();
  const files = new Map<string, Buffer>();
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      if (!FILES.has(part.fieldname)) {
        throw new MySpinBotError(
          'SCHEMA_INVALID',
          `unexpected file field '${part.fieldname}' (expected image, voice)`,
        );
      }
      if (files.has(part.fieldname))
        throw new MySpinBotError('SCHEMA_INVALID', `field '${part.fieldname}' was sent twice`);
      const max = part.fieldname === 'image' ? limits.maxImageBytes : limits.maxVoiceBytes;
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of part.file) {
        size += (chunk as Buffer).length;
        if (size > max) {
          throw new MySpinBotError('INPUT_TOO_LARGE', `${part.fieldname} is larger than ${max} bytes`);
        }
        chunks.push(chunk as Buffer);
      }
      if (part.file.truncated)
        throw new MySpinBotError('INPUT_TOO_LARGE', `${part.fieldname} is larger than the upload limit`);
      files.set(part.fieldname, Buffer.concat(chunks));
    } else {
      if (!FIELDS.has(part.fieldname)) {
        throw new MySpinBotError('SCHEMA_INVALID', `unexpected field '${part.fieldname}'`);
      }
      if (fields.has(part.fieldname))
        throw new MySpinBotError('SCHEMA_INVALID', `field '${part.fieldname}' was sent twice`);
      if (part.valueTruncated) throw new MySpinBotError('INPUT_TOO_LARGE', `${part.fieldname} is too long`);
      fields.set(part.fieldname, typeof part.value === 'string' ? part.value : String(part.value));
    }
  }
  return { fields, files };
}

export async function parseTrainRequest(
  request: FastifyRequest,
  limits: TrainLimits,
): Promise<CreateJobRequest> {
  const { fields, files } = await readForm(request, limits);
  const prompt = textField('prompt', fields.get('prompt') ?? '', limits.maxPromptChars);
  if (prompt.length === 0) throw new MySpinBotError('INPUT_MISSING', 'prompt is required');
  let options: TrainOptions = {};
  const rawOptions = fields.get('options');
  if (rawOptions !== undefined && rawOptions.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawOptions);
    } catch {
      throw new MySpinBotError('SCHEMA_INVALID', 'options is not valid JSON');
    }
    options = trainOptionsValidator.parse(parsed);
  }
  const out: CreateJobRequest = { prompt, options };
  const voiceText = fields.get('voiceText');
  if (voiceText !== undefined && voiceText.trim() !== '')
    out.voiceText = textField('voiceText', voiceText, limits.maxVoiceTextChars);
  const pipeline = fields.get('pipeline');
  if (pipeline !== undefined && pipeline.trim() !== '') {
    if (!/^[a-z][a-z0-9-]{0,63}$/.test(pipeline.trim()))
      throw new MySpinBotError('PIPELINE_UNKNOWN', `no pipeline named '${pipeline.slice(0, 64)}'`);
    out.pipeline = pipeline.trim();
  }
  const callbackUrl = fields.get('callbackUrl');
  if (callbackUrl !== undefined && callbackUrl.trim() !== '')
    out.callbackUrl = checkCallbackUrl(callbackUrl.trim(), limits.callbackHosts);
  const image = files.get('image');
  if (image !== undefined) {
    const facts = await inspectImage(image);
    out.image = { bytes: image, contentType: facts.contentType, extension: facts.extension } satisfies Upload;
  }
  const voice = files.get('voice');
  if (voice !== undefined) {
    const facts = inspectVoice(voice);
    out.voice = { bytes: voice, contentType: facts.contentType, extension: facts.extension };
  }
  if (out.voiceText !== undefined && out.voice === undefined) {
    throw new MySpinBotError('INPUT_MISSING', 'voiceText was given without a voice sample');
  }
  return out;
}

export async function trainRoutes(
  app: FastifyInstance,
  options: { jobs: JobService; limits: TrainLimits },
): Promise<void> {
  app.post('/api/train', async (request, reply) => {
    const parsed = await parseTrainRequest(request, options.limits);
    const accepted = await options.jobs.create(parsed);
    return reply.status(202).header('location', `/api/jobs/${accepted.jobId}`).send(accepted);
  });
}
