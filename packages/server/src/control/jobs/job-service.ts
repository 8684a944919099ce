/**
 * The job operations behind the HTTP API: create from uploads, read, list, cancel, retry, delete. Each
 * one checks before it changes anything, so a refused request leaves nothing stored or enqueued.
 */
import { createHash, randomUUID } from 'node:crypto';
import { type Bus, isTerminalStatus, type JobRecord } from '@myspinbot/bus';
import { type ArtifactRef, type JobState, MySpinBotError, type TrainOptions } from '@myspinbot/contracts';
import type { JobHistory, JobHistoryEntry, ListPage, ListQuery } from '@myspinbot/history';
import { type ArtifactStore, artifactKey, jobPrefix } from '@myspinbot/storage';
import type { Metrics, PinoLogger } from '@myspinbot/telemetry';
import { nextPlane, prepareRetry } from '@myspinbot/workflow';
import { jobStateFromRecord } from '../job-state.js';
import type { ManifestSource } from '../manifests.js';
import type { PipelineCatalogStore } from '../planning/catalog.js';
import { planJob } from '../planning/planner.js';
import { artifactsOfGraph, artifactUrl } from './artifacts.js';

export interface Upload {
  bytes: Buffer;
  contentType: string;
  extension: string;
}

export interface CreateJobRequest {
  prompt: string;
  voiceText?: string;
  pipeline?: string;
  options: TrainOptions;
  callbackUrl?: string;
  image?: Upload;
  voice?: Upload;
}

export interface JobDetail extends JobState {
  input: Record<string, unknown>;
  artifacts: (ArtifactRef & { url: string })[];
  queuePosition?: number;
}

export interface JobServiceDeps {
  bus: Bus;
  store: ArtifactStore;
  history: JobHistory;
  catalog: PipelineCatalogStore;
  manifests: ManifestSource;
  logger: PinoLogger;
  metrics?: Metrics;
  publicUrl: string;
}

function uploadRef(jobId: string, name: string, upload: Upload, at: string): ArtifactRef {
  return {
    key: artifactKey(jobId, 'input', name),
    jobId,
    nodeId: 'input',
    name,
    contentType: upload.contentType,
    size: upload.bytes.length,
    sha256: createHash('sha256').update(upload.bytes).digest('hex'),
    createdAt: at,
  };
}

export function historyEntryFrom(record: JobRecord, input: Record<string, unknown>): JobHistoryEntry {
  const state = jobStateFromRecord(record);
  return {
    jobId: record.jobId,
    pipeline: record.graph?.metadata?.pipeline ?? 'unknown',
    status: record.status,
    progress: state.progress,
    createdAt: record.createdAt || state.updatedAt,
    updatedAt: record.updatedAt || state.updatedAt,
    finishedAt: isTerminalStatus(record.status) ? record.updatedAt || state.updatedAt : null,
    input,
    state,
    error: state.error ?? null,
    artifacts: artifactsOfGraph(record.graph),
  };
}

export class JobService {
  constructor(private readonly deps: JobServiceDeps) {}

  async create(request: CreateJobRequest): Promise<{ jobId: string; status: 'queued'; pipeline: string }> {
    const { bus, store, history, catalog, manifests } = this.deps;
    const jobId = randomUUID();
    const createdAt = new Date();
    const at = createdAt.toISOString();
    const inputs: Partial<Record<'image' | 'voice', ArtifactRef>> = {};
    if (request.image)
      inputs.image = uploadRef(jobId, `portrait.${request.image.extension}`, request.image, at);
    if (request.voice) inputs.voice = uploadRef(jobId, `voice.${request.voice.extension}`, request.voice, at);
    // Planning first: a refused graph (422) stores nothing.
    const graph = planJob(
      catalog,
      {
        jobId,
        ...(request.pipeline ? { pipeline: request.pipeline } : {}),
        prompt: request.prompt,
        ...(request.voiceText !== undefined ? { voiceText: request.voiceText } : {}),
        options: request.options,
        inputs,
        createdAt,
      },
      await manifests.knownServices(),
    );
    const plane = nextPlane(graph);
    if (plane === null) throw new MySpinBotError('PIPELINE_UNKNOWN', 'the pipeline has nothing to run');
    const pipeline = graph.metadata?.pipeline ?? 'unknown';
    const input: Record<string, unknown> = {
      prompt: request.prompt,
      options: request.options,
      pipeline,
      inputs,
      ...(request.voiceText !== undefined ? { voiceText: request.voiceText } : {}),
      ...(request.callbackUrl !== undefined ? { callbackUrl: request.callbackUrl } : {}),
    };
    try {
      if (request.image && inputs.image)
        await store.put(inputs.image.key, request.image.bytes, { contentType: inputs.image.contentType });
      if (request.voice && inputs.voice)
        await store.put(inputs.voice.key, request.voice.bytes, { contentType: inputs.voice.contentType });
      const state: JobState = {
        jobId,
        status: 'queued',
        progress: 0,
        pipeline,
        createdAt: at,
        updatedAt: at,
        nodes: [],
      };
      await history.upsert({
        jobId,
        pipeline,
        status: 'queued',
        progress: 0,
        createdAt: at,
        updatedAt: at,
        finishedAt: null,
        input,
        state,
        error: null,
        artifacts: Object.values(inputs),
      });
      await bus.submit(graph, plane);
    } catch (error) {
      // Nothing half-written: undo what was stored before the failure.
      await Promise.allSettled([
        store.deletePrefix(jobPrefix(jobId)),
        history.delete(jobId),
        bus.deleteJob(jobId),
      ]);
      throw error;
    }
    this.deps.metrics?.jobsCreated.inc({ pipeline });
    this.deps.logger.info({ jobId, pipeline, plane }, 'job created');
    return { jobId, status: 'queued', pipeline };
  }

  private withUrls(refs: ArtifactRef[]): (ArtifactRef & { url: string })[] {
    return refs.map((ref) => ({ ...ref, url: artifactUrl(ref, this.deps.publicUrl) }));
  }

  /** The live record when the bus has it, else the history's last view. */
  async get(jobId: string): Promise<JobDetail> {
    const [record, entry] = await Promise.all([this.deps.bus.getJob(jobId), this.deps.history.get(jobId)]);
    if (record) {
      const detail: JobDetail = {
        ...jobStateFromRecord(record),
        input: entry?.input ?? {},
        artifacts: this.withUrls(artifactsOfGraph(record.graph)),
      };
      if (record.status === 'queued' && record.plane) {
        const position = await this.deps.bus.queuePosition(record.plane, jobId);
        if (position !== null) detail.queuePosition = position;
      }
      return detail;
    }
    if (entry) return { ...entry.state, input: entry.input, artifacts: this.withUrls(entry.artifacts) };
    throw new MySpinBotError('JOB_NOT_FOUND', `no job with id ${jobId}`);
  }

  async list(query: ListQuery): Promise<ListPage> {
    return this.deps.history.list(query);
  }

  async cancel(jobId: string, reason = 'cancelled by request'): Promise<JobDetail> {
    const current = await this.deps.bus.getJob(jobId);
    if (!current) {
      if (await this.deps.history.get(jobId))
        throw new MySpinBotError('JOB_FINISHED', `job ${jobId} has already finished`);
      throw new MySpinBotError('JOB_NOT_FOUND', `no job with id ${jobId}`);
    }
    if (isTerminalStatus(current.status))
      throw new MySpinBotError('JOB_FINISHED', `job ${jobId} has already ${current.status}`);
    await this.deps.bus.requestCancel(jobId, reason);
    this.deps.metrics?.jobsCancelled.inc({ pipeline: current.graph?.metadata?.pipeline ?? 'unknown' });
    return this.get(jobId);
  }

  async retry(jobId: string): Promise<JobDetail> {
    const record = await this.deps.bus.getJob(jobId);
    if (!record?.graph) {
      if (await this.deps.history.get(jobId)) {
        throw new MySpinBotError(
          'JOB_NOT_RETRYABLE',
          `job ${jobId} is no longer held by the bus (its record expired)`,
        );
      }
      throw new MySpinBotError('JOB_NOT_FOUND', `no job with id ${jobId}`);
    }
    if (record.status !== 'failed' && record.status !== 'cancelled') {
      throw new MySpinBotError(
        'JOB_NOT_RETRYABLE',
        `job ${jobId} is ${record.status}; only failed or cancelled jobs can be retried`,
      );
    }
    const graph = prepareRetry(record.graph);
    const plane = nextPlane(graph);
    if (plane === null || !(await this.deps.bus.retry(graph, plane))) {
      throw new MySpinBotError('JOB_NOT_RETRYABLE', `job ${jobId} cannot be retried now`);
    }
    this.deps.logger.info({ jobId, plane }, 'job retried');
    return this.get(jobId);
  }

  /** Cancels the job if it still runs, then removes its record, its artifacts and its history. */
  async remove(jobId: string): Promise<void> {
    const { bus, store, history } = this.deps;
    const [record, entry] = await Promise.all([bus.getJob(jobId), history.get(jobId)]);
    if (!record && !entry) throw new MySpinBotError('JOB_NOT_FOUND', `no job with id ${jobId}`);
    if (record && !isTerminalStatus(record.status)) await bus.requestCancel(jobId, 'job deleted');
    await bus.deleteJob(jobId);
    await store.deletePrefix(jobPrefix(jobId));
    await history.delete(jobId);
    this.deps.logger.info({ jobId }, 'job deleted');
  }
}
