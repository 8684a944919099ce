/**
 * The one error format of every HTTP answer: {"error": {"code", "message", "details"?}} with the status
 * of the code (packages/contracts ERROR_CODES). Fastify's own errors (bad JSON, body too large, no route)
 * are mapped to stable codes too; anything unexpected is a 500 INTERNAL_ERROR without internals.
 */
import { MySpinBotError } from '@myspinbot/contracts';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export function sendError(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  details?: Record<string, unknown>,
) {
  const body: ErrorBody = { error: { code, message } };
  if (details !== undefined) body.error.details = details;
  return reply.status(status).type('application/json; charset=utf-8').send(body);
}

const FASTIFY_CODES: Record<string, { code: string; status: number }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'BAD_JSON', status: 400 },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'BAD_JSON', status: 400 },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', status: 413 },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', status: 415 },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'BAD_REQUEST', status: 400 },
  FST_REQ_FILE_TOO_LARGE: { code: 'INPUT_TOO_LARGE', status: 413 },
  FST_PARTS_LIMIT: { code: 'INPUT_TOO_LARGE', status: 413 },
  FST_FILES_LIMIT: { code: 'INPUT_TOO_LARGE', status: 413 },
  FST_FIELDS_LIMIT: { code: 'INPUT_TOO_LARGE', status: 413 },
  FST_PROTO_VIOLATION: { code: 'SCHEMA_INVALID', status: 400 },
  FST_INVALID_MULTIPART_CONTENT_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', status: 415 },
  FST_MP_PREMATURE_CLOSE: { code: 'BAD_REQUEST', status: 400 },
  FST_ERR_VALIDATION: { code: 'SCHEMA_INVALID', status: 400 },
};

export const errorHandling = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((error: FastifyError | MySpinBotError | Error, request, reply) => {
      if (error instanceof MySpinBotError) {
        if (error.httpStatus >= 500) request.log.error({ err: error }, 'request failed');
        return sendError(reply, error.httpStatus, error.code, error.message, error.details);
      }
      const fastifyError = error as FastifyError;
      if (fastifyError.validation) {
        return sendError(reply, 400, 'SCHEMA_INVALID', fastifyError.message);
      }
      const mapped = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
      if (mapped) return sendError(reply, mapped.status, mapped.code, fastifyError.message);
      if (
        typeof fastifyError.statusCode === 'number' &&
        fastifyError.statusCode >= 400 &&
        fastifyError.statusCode < 500
      ) {
        return sendError(reply, fastifyError.statusCode, 'BAD_REQUEST', fastifyError.message);
      }
      request.log.error({ err: error }, 'unexpected error');
      return sendError(reply, 500, 'INTERNAL_ERROR', 'internal error');
    });
    app.setNotFoundHandler((request, reply) =>
      sendError(
        reply,
        404,
        'ROUTE_NOT_FOUND',
        `no route for ${request.method} ${request.url.split('?')[0] ?? ''}`,
      ),
    );
  },
  { name: 'myspinbot-errors' },
);
