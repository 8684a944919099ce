/**
 * Access rules for /api and /ws: optional API keys (x-api-key, Authorization: Bearer, or ?apiKey= on /ws),
 * CORS and WebSocket Origin from one allow-list, and a per-client rate limit (429). Health, readiness,
 * metrics, GET /api/limits and GET /api/openapi.json stay open. An artifact download may carry a signed `?token=` for its job
 * instead of a key (media elements cannot send headers); keys are never read from HTTP URLs.
 */
import { timingSafeEqual } from 'node:crypto';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import { MySpinBotError } from '@myspinbot/contracts';
import { sendError } from '@myspinbot/http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ArtifactTokens } from './artifact-tokens.js';

export interface SecurityOptions {
  apiKeys: readonly string[];
  corsOrigins: readonly string[];
  rateLimitPerMinute: number;
  /** Signs and checks the `?token=` of artifact downloads. */
  artifactTokens: ArtifactTokens;
}

function keyMatches(candidate: string, keys: readonly string[]): boolean {
  const given = Buffer.from(candidate);
  return keys.some((key) => {
    const expected = Buffer.from(key);
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}

export function presentedKey(
  headers: Record<string, string | string[] | undefined>,
  query?: Record<string, unknown>,
): string | null {
  const header = headers['x-api-key'];
  if (typeof header === 'string' && header.length > 0) return header;
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7).trim();
  const fromQuery = query?.apiKey;
  return typeof fromQuery === 'string' && fromQuery.length > 0 ? fromQuery : null;
}

export function isAuthorized(options: SecurityOptions, key: string | null): boolean {
  return options.apiKeys.length === 0 || (key !== null && keyMatches(key, options.apiKeys));
}

export function originAllowed(options: SecurityOptions, origin: string | undefined): boolean {
  if (origin === undefined || options.corsOrigins.includes('*')) return true;
  return options.corsOrigins.includes(origin);
}

const PROTECTED = /^\/(api|ws)(\/|$|\?)/;

/** Routes of /api anyone may read: what a page needs before it has a key, and the API's own description. */
const PUBLIC = new Set([
  'GET /api/limits',
  'HEAD /api/limits',
  'GET /api/openapi.json',
  'HEAD /api/openapi.json',
]);

/** The route a token may open (GET, and the HEAD Fastify adds for it). */
export const ARTIFACT_ROUTE = '/api/jobs/:jobId/artifacts/:nodeId/:name';

function artifactRequest(request: FastifyRequest): { jobId: string; token: unknown } | null {
  if (request.routeOptions.url !== ARTIFACT_ROUTE) return null;
  if (request.method !== 'GET' && request.method !== 'HEAD') return null;
  const query = request.query as Record<string, unknown> | undefined;
  if (query?.token === undefined) return null;
  const params = request.params as Record<string, unknown>;
  return { jobId: typeof params.jobId === 'string' ? params.jobId : '', token: query.token };
}

export const security = fp<SecurityOptions>(
  async (app: FastifyInstance, options) => {
    await app.register(cors, {
      origin: options.corsOrigins.includes('*') ? true : [...options.corsOrigins],
      methods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
      allowedHeaders: ['content-type', 'x-api-key', 'authorization', 'range'],
      exposedHeaders: ['content-range', 'accept-ranges', 'location'],
    });
    if (options.rateLimitPerMinute > 0) {
      await app.register(rateLimit, {
        max: options.rateLimitPerMinute,
        timeWindow: 60_000,
        allowList: (request) => !PROTECTED.test(request.url),
        errorResponseBuilder: (_request, context) =>
          new MySpinBotError(
            'RATE_LIMITED',
            `rate limit of ${context.max} requests per minute exceeded; retry in ${context.after}`,
          ),
      });
    }
    app.addHook('onRequest', async (request, reply) => {
      if (!PROTECTED.test(request.url) || request.method === 'OPTIONS') return;
      // WebSocket upgrades are checked in the /ws route (the key may come as a query parameter).
      if (request.url.startsWith('/ws')) return;
      if (PUBLIC.has(`${request.method} ${request.routeOptions.url}`)) return;
      if (isAuthorized(options, presentedKey(request.headers))) return;
      const artifact = artifactRequest(request);
      if (artifact) {
        const check = options.artifactTokens.verify(artifact.jobId, artifact.token);
        if (check === 'ok') return;
        return check === 'expired'
          ? sendError(
              reply,
              401,
              'ARTIFACT_TOKEN_EXPIRED',
              'the artifact token has expired; ask for a new one',
            )
          : sendError(reply, 401, 'ARTIFACT_TOKEN_INVALID', 'the artifact token is not valid for this job');
      }
      return sendError(
        reply,
        401,
        'UNAUTHORIZED',
        'a valid API key is required (x-api-key or Authorization: Bearer)',
      );
    });
  },
  { name: 'myspinbot-security' },
);
