/**
 * Job routes: status (the seed's), details, paged history, cancel, retry, delete, artifact download with
 * HTTP Range support, and the signed token that opens one job's artifacts to media elements.
 */
import type { Bus } from '@myspinbot/bus';
import { type ArtifactToken, type JobStatus, MySpinBotError } from '@myspinbot/contracts';
import type { ArtifactStore } from '@myspinbot/storage';
import { artifactKey } from '@myspinbot/storage';
import type { FastifyInstance } from 'fastify';
import type { ArtifactTokens } from '../artifact-tokens.js';
import { jobStateFromRecord } from '../job-state.js';
import type { JobService } from '../jobs/job-service.js';
import { parseRange } from './range.js';

const JOB_ID = /^[A-Za-z0-9_-]{1,64}$/;
const STATUSES: readonly JobStatus[] = ['queued', 'running', 'completed', 'failed', 'cancelled'];

function checkJobId(jobId: string): string {
  if (!JOB_ID.test(jobId))
    throw new MySpinBotError('SCHEMA_INVALID', 'a job id is 1..64 letters, digits, "_" or "-"');
  return jobId;
}

export async function jobRoutes(
  app: FastifyInstance,
  options: { bus: Bus; jobs: JobService; store: ArtifactStore; tokens: ArtifactTokens },
): Promise<void> {
  const { bus, jobs, store, tokens } = options;

  app.get<{ Params: { jobId: string } }>('/api/status/:jobId', async (request) => {
    const jobId = checkJobId(request.params.jobId);
    const record = await bus.getJob(jobId);
    if (!record) {
      // A job whose record expired from the bus is still known to the history.
      const detail = await jobs.get(jobId);
      return detail;
    }
    const state = jobStateFromRecord(record);
    if (record.status === 'queued' && record.plane) {
      const position = await bus.queuePosition(record.plane, jobId);
      if (position !== null) return { ...state, queuePosition: position };
    }
    return state;
  });

  app.get<{ Querystring: { limit?: string; cursor?: string; status?: string; pipeline?: string } }>(
    '/api/jobs',
    async (request) => {
      const { limit, cursor, status, pipeline } = request.query;
      const size = limit === undefined ? 20 : Number(limit);
      if (!Number.isInteger(size) || size < 1 || size > 100)
        throw new MySpinBotError('SCHEMA_INVALID', 'limit must be an integer in 1..100');
      const statuses = status === undefined ? undefined : status.split(',').map((s) => s.trim());
      if (statuses?.some((s) => !STATUSES.includes(s as JobStatus))) {
        throw new MySpinBotError(
          'SCHEMA_INVALID',
          `status must be a comma-separated list of ${STATUSES.join(', ')}`,
        );
      }
      if (cursor !== undefined && cursor.length > 512)
        throw new MySpinBotError('SCHEMA_INVALID', 'cursor is malformed');
      if (pipeline !== undefined && !/^[a-z][a-z0-9-]{0,63}$/.test(pipeline))
        throw new MySpinBotError('SCHEMA_INVALID', 'pipeline is malformed');
      const page = await jobs.list({
        limit: size,
        ...(cursor ? { cursor } : {}),
        ...(statuses ? { status: statuses as JobStatus[] } : {}),
        ...(pipeline ? { pipeline } : {}),
      });
      return {
        items: page.items.map((e) => ({
          jobId: e.jobId,
          pipeline: e.pipeline,
          status: e.status,
          progress: e.progress,
          createdAt: e.createdAt,
          updatedAt: e.updatedAt,
          finishedAt: e.finishedAt,
          prompt: typeof e.input.prompt === 'string' ? e.input.prompt : undefined,
          error: e.error,
        })),
        nextCursor: page.nextCursor,
        total: page.total,
      };
    },
  );

  app.get<{ Params: { jobId: string } }>('/api/jobs/:jobId', async (request) =>
    jobs.get(checkJobId(request.params.jobId)),
  );

  app.post<{ Params: { jobId: string } }>('/api/jobs/:jobId/cancel', async (request, reply) => {
    const detail = await jobs.cancel(checkJobId(request.params.jobId));
    return reply.status(202).send(detail);
  });

  app.post<{ Params: { jobId: string } }>('/api/jobs/:jobId/retry', async (request, reply) => {
    const detail = await jobs.retry(checkJobId(request.params.jobId));
    return reply.status(202).send(detail);
  });

  app.delete<{ Params: { jobId: string } }>('/api/jobs/:jobId', async (request, reply) => {
    await jobs.remove(checkJobId(request.params.jobId));
    return reply.status(204).send();
  });

  // A grant for <video src> and download links, which cannot send the API key: ?token= on this job's
  // artifact URLs (checked in security.ts). Issued to whoever may read the job; 404 for an unknown one.
  app.post<{ Params: { jobId: string } }>(
    '/api/jobs/:jobId/artifact-token',
    async (request, reply): Promise<ArtifactToken> => {
      const jobId = checkJobId(request.params.jobId);
      await jobs.get(jobId);
      reply.header('cache-control', 'no-store');
      return tokens.issue(jobId);
    },
  );

  app.get<{ Params: { jobId: string; nodeId: string; name: string } }>(
    '/api/jobs/:jobId/artifacts/:nodeId/:name',
    async (request, reply) => {
      const { jobId, nodeId, name } = request.params;
      let key: string;
      try {
        key = artifactKey(jobId, nodeId, name);
      } catch {
        throw new MySpinBotError('ARTIFACT_NOT_FOUND', 'no artifact with this name');
      }
      const head = await store.head(key);
      if (!head)
        throw new MySpinBotError('ARTIFACT_NOT_FOUND', `no artifact ${nodeId}/${name} in job ${jobId}`);
      const range = parseRange(request.headers.range, head.size);
      if (range === 'unsatisfiable') {
        return reply
          .status(416)
          .header('content-range', `bytes */${head.size}`)
          .send({ error: { code: 'RANGE_NOT_SATISFIABLE', message: `the artifact has ${head.size} bytes` } });
      }
      const result = await store.get(key, range ?? undefined);
      if (!result)
        throw new MySpinBotError('ARTIFACT_NOT_FOUND', `no artifact ${nodeId}/${name} in job ${jobId}`);
      reply
        .header('content-type', result.object.contentType)
        .header('accept-ranges', 'bytes')
        .header('cache-control', 'private, max-age=0, must-revalidate')
        .header('content-disposition', `inline; filename="${name}"`);
      if (result.object.sha256) reply.header('etag', `"${result.object.sha256}"`);
      if (result.range) {
        reply
          .status(206)
          .header('content-range', `bytes ${result.range.start}-${result.range.end}/${result.object.size}`)
          .header('content-length', String(result.range.end - result.range.start + 1));
      } else {
        reply.header('content-length', String(result.object.size));
      }
      return reply.send(result.body);
    },
  );
}
