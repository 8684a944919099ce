import type { Bus } from '@myspinbot/bus';
import { MySpinBotError } from '@myspinbot/contracts';
import type { FastifyInstance } from 'fastify';
import { jobStateFromRecord } from '../job-state.js';

const JOB_ID = /^[A-Za-z0-9_-]{1,64}$/;

export async function statusRoutes(app: FastifyInstance, options: { bus: Bus }): Promise<void> {
  app.get<{ Params: { jobId: string } }>('/api/status/:jobId', async (request) => {
    const { jobId } = request.params;
    if (!JOB_ID.test(jobId)) {
      throw new MySpinBotError('SCHEMA_INVALID', 'a job id is 1..64 letters, digits, "_" or "-"');
    }
    const record = await options.bus.getJob(jobId);
    if (!record) throw new MySpinBotError('JOB_NOT_FOUND', `no job with id ${jobId}`);
    const state = jobStateFromRecord(record);
    if (record.status === 'queued' && record.plane) {
      const position = await options.bus.queuePosition(record.plane, jobId);
      if (position !== null) return { ...state, queuePosition: position };
    }
    return state;
  });
}
