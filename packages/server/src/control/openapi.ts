/**
 * The OpenAPI 3.1 document of the HTTP API, built from the published JSON Schemas (the same ones the
 * validators use), served at GET /api/openapi.json.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES, SCHEMA_BASE, SCHEMA_DIR } from '@myspinbot/contracts';

type Json = Record<string, unknown>;

/** Every $defs entry and titled root schema of the contracts, as OpenAPI components, with $refs rewritten. */
function components(): Record<string, Json> {
  const out: Record<string, Json> = {};
  const rewrite = (value: unknown, file: string): unknown => {
    if (Array.isArray(value)) return value.map((v) => rewrite(v, file));
    if (value === null || typeof value !== 'object') return value;
    const obj: Json = {};
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string') {
        const [target = '', pointer = ''] = inner.split('#');
        const name = pointer.startsWith('/$defs/') ? pointer.slice(7) : titleOf(target || file);
        obj.$ref = `#/components/schemas/${name}`;
      } else if (key !== '$schema' && key !== '$id' && key !== '$defs') {
        obj[key] = rewrite(inner, file);
      }
    }
    return obj;
  };
  const titles = new Map<string, string>();
  const titleOf = (file: string) => titles.get(file.replace(SCHEMA_BASE, '')) ?? file;
  const files = readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.schema.json'));
  const docs = files.map(
    (file) => [file, JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8')) as Json] as const,
  );
  for (const [file, doc] of docs) if (typeof doc.title === 'string') titles.set(file, doc.title);
  for (const [file, doc] of docs) {
    if (doc.type !== undefined && typeof doc.title === 'string') out[doc.title] = rewrite(doc, file) as Json;
    for (const [name, def] of Object.entries((doc.$defs ?? {}) as Record<string, unknown>))
      out[name] = rewrite(def, file) as Json;
  }
  out.Error = {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: {
            type: 'string',
            enum: Object.keys(ERROR_CODES).concat([
              'BAD_JSON',
              'BAD_REQUEST',
              'ROUTE_NOT_FOUND',
              'INTERNAL_ERROR',
              'PAYLOAD_TOO_LARGE',
            ]),
          },
          message: { type: 'string' },
          details: { type: 'object' },
        },
      },
    },
  };
  return out;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [String(s), json(ref('Error'), 'error')]));
const jobIdParam = { name: 'jobId', in: 'path', required: true, schema: ref('JobId') };

export function openApiDocument(version: string): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'MySpinBot API',
      version,
      description: 'Talking-portrait generation on a dual-plane workflow engine.',
    },
    components: {
      schemas: components(),
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
        bearer: { type: 'http', scheme: 'bearer', description: 'an API key as a bearer token' },
        artifactToken: {
          type: 'apiKey',
          in: 'query',
          name: 'token',
          description: 'POST /api/jobs/{jobId}/artifact-token; opens the artifact downloads of that job only',
        },
      },
    },
    security: [{}, { apiKey: [] }, { bearer: [] }],
    paths: {
      '/health': { get: { summary: 'Liveness', responses: { 200: { description: 'alive' } } } },
      '/ready': {
        get: {
          summary: 'Dependencies reachable',
          responses: { 200: { description: 'ready' }, 503: { description: 'not ready' } },
        },
      },
      '/metrics': {
        get: { summary: 'Prometheus metrics', responses: { 200: { description: 'text format' } } },
      },
      '/api/capabilities': {
        get: {
          summary: "Both planes' manifests",
          responses: { 200: json(ref('CombinedManifest'), 'manifest') },
        },
      },
      '/api/limits': {
        get: {
          summary: 'Upload limits in force, and whether /api needs a key (open without a key)',
          security: [{}],
          responses: { 200: json(ref('ApiLimits'), 'limits') },
        },
      },
      '/api/pipelines': {
        get: { summary: 'Pipelines users can submit', responses: { 200: { description: 'pipelines' } } },
      },
      '/api/train': {
        post: {
          summary: 'Create a job from uploads',
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  required: ['prompt'],
                  properties: {
                    image: { type: 'string', format: 'binary', description: 'portrait (JPEG, PNG or WebP)' },
                    prompt: { type: 'string' },
                    voice: { type: 'string', format: 'binary', description: 'voice sample (WAV)' },
                    voiceText: { type: 'string' },
                    pipeline: { type: 'string' },
                    options: { type: 'string', description: 'JSON of TrainOptions' },
                    callbackUrl: { type: 'string', format: 'uri' },
                  },
                },
              },
            },
          },
          responses: {
            202: json(ref('TrainAccepted'), 'accepted'),
            ...errors(400, 401, 413, 415, 422, 429, 503),
          },
        },
      },
      '/api/status/{jobId}': {
        get: {
          parameters: [jobIdParam],
          responses: { 200: json(ref('JobState'), 'state'), ...errors(400, 404) },
        },
      },
      '/api/jobs': {
        get: {
          summary: 'Job history, newest first',
          parameters: [
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } },
            { name: 'cursor', in: 'query', schema: { type: 'string' } },
            {
              name: 'status',
              in: 'query',
              schema: { type: 'string' },
              description: 'comma-separated JobStatus values',
            },
            { name: 'pipeline', in: 'query', schema: { type: 'string' } },
          ],
          responses: { 200: { description: 'a page: {items, nextCursor, total}' }, ...errors(400) },
        },
      },
      '/api/jobs/{jobId}': {
        get: {
          parameters: [jobIdParam],
          responses: { 200: json(ref('JobState'), 'job with input and artifacts'), ...errors(404) },
        },
        delete: { parameters: [jobIdParam], responses: { 204: { description: 'deleted' }, ...errors(404) } },
      },
      '/api/jobs/{jobId}/cancel': {
        post: {
          parameters: [jobIdParam],
          responses: { 202: json(ref('JobState'), 'cancelling'), ...errors(404, 409) },
        },
      },
      '/api/jobs/{jobId}/retry': {
        post: {
          parameters: [jobIdParam],
          responses: { 202: json(ref('JobState'), 're-queued'), ...errors(404, 409) },
        },
      },
      '/api/jobs/{jobId}/artifact-token': {
        post: {
          summary:
            'A signed, short-lived token that opens the artifact URLs of this job without a key (?token=)',
          parameters: [jobIdParam],
          responses: { 200: json(ref('ArtifactToken'), 'token'), ...errors(400, 401, 404) },
        },
      },
      '/api/jobs/{jobId}/artifacts/{nodeId}/{name}': {
        get: {
          summary: 'Download an artifact (HTTP Range supported)',
          description:
            'With API keys configured: a key header, or ?token= from POST /api/jobs/{jobId}/artifact-token ' +
            '(401 ARTIFACT_TOKEN_INVALID or ARTIFACT_TOKEN_EXPIRED when it does not open this job).',
          security: [{}, { apiKey: [] }, { bearer: [] }, { artifactToken: [] }],
          parameters: [
            jobIdParam,
            { name: 'nodeId', in: 'path', required: true, schema: ref('NodeId') },
            { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
            {
              name: 'token',
              in: 'query',
              schema: { type: 'string' },
              description: 'artifact token of this job (instead of a key)',
            },
          ],
          responses: {
            200: { description: 'the bytes' },
            206: { description: 'a range' },
            ...errors(401, 404, 416),
          },
        },
      },
    },
  };
}
