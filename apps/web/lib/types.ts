/**
 * The wire types the UI reads and sends. They mirror packages/contracts/schemas (job, train, artifact,
 * capabilities) and the answers of packages/server/src/control/routes; test/contract-types.test.ts checks
 * that they stay assignable to the generated contract types.
 */

export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
export type NodeStatus = 'pending' | 'ready' | 'running' | 'completed' | 'failed' | 'skipped' | 'cancelled';
export type Plane = 'node' | 'python';

export const JOB_STATUSES: readonly JobStatus[] = ['queued', 'running', 'completed', 'failed', 'cancelled'];
export const NODE_STATUSES: readonly NodeStatus[] = [
  'pending',
  'ready',
  'running',
  'completed',
  'failed',
  'skipped',
  'cancelled',
];

export interface NodeError {
  code: string;
  message: string;
  retryable: boolean;
  details?: Record<string, unknown>;
}

/** Why a job failed: the node and its error. */
export interface JobFailure extends NodeError {
  nodeId?: string;
}

export interface NodeTimings {
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
}

export interface NodeState {
  id: string;
  name: string;
  service: string;
  plane: Plane;
  status: NodeStatus;
  progress: number;
  attempts?: number;
  timings?: NodeTimings;
  error?: NodeError;
}

/** A job as GET /api/status and WebSocket updates show it. */
export interface JobState {
  jobId: string;
  status: JobStatus;
  progress: number;
  pipeline?: string;
  currentPlane?: Plane;
  currentNodeId?: string;
  createdAt?: string;
  updatedAt: string;
  error?: JobFailure;
  nodes: NodeState[];
  /** Place in the queue of a queued job (HTTP answers only). */
  queuePosition?: number;
}

export interface ArtifactRef {
  key: string;
  jobId: string;
  nodeId: string;
  name: string;
  contentType: string;
  size: number;
  sha256?: string;
  createdAt?: string;
}

/** An artifact with the address the API serves it at (relative to the API origin unless PUBLIC_URL is set). */
export interface ArtifactLink extends ArtifactRef {
  url: string;
}

/** GET /api/jobs/:id: the state plus what the job was asked for and what it produced. */
export interface JobDetail extends JobState {
  input: Record<string, unknown>;
  artifacts: ArtifactLink[];
}

/** One row of GET /api/jobs. */
export interface JobSummary {
  jobId: string;
  pipeline: string;
  status: JobStatus;
  progress: number;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  prompt?: string;
  error: JobFailure | null;
}

export interface JobPage {
  items: JobSummary[];
  nextCursor: string | null;
  total?: number;
}

/** One entry of GET /api/pipelines. */
export interface PipelineInfo {
  name: string;
  description: string;
  inputs: string[];
  /** 'plane/service' names the pipeline runs. */
  services: string[];
  available: boolean;
  missing: string[];
}

export interface PipelineList {
  default: string;
  pipelines: PipelineInfo[];
}

export interface ServiceDescriptor {
  name: string;
  description?: string;
  timeoutMs?: number;
  engine?: string;
}

export interface PlaneManifest {
  plane: Plane;
  executor?: { id: string; hostname?: string; version?: string };
  services: ServiceDescriptor[];
}

export interface CombinedManifest {
  planes: { node: PlaneManifest | null; python: PlaneManifest | null };
  services: string[];
  unavailable: { plane: Plane; reason: string }[];
  generatedAt: string;
}

/** The `options` field of POST /api/train (train.schema.json#/$defs/TrainOptions). */
export interface TrainOptions {
  width?: number;
  height?: number;
  fps?: number;
  captions?: boolean;
  upscale?: 1 | 1.5 | 2;
  language?: string;
  maxWords?: number;
  scriptMode?: 'auto' | 'direct' | 'template' | 'llm';
  trainLora?: boolean;
  seed?: string;
}

export interface TrainAccepted {
  jobId: string;
  status: JobStatus;
  pipeline?: string;
}

/** What the upload form sends. */
export interface TrainRequest {
  prompt: string;
  image?: Blob;
  voice?: Blob;
  voiceText?: string;
  pipeline?: string;
  options: TrainOptions;
}

/** GET /api/limits (access.schema.json#/$defs/ApiLimits): the upload limits in force on the server. */
export interface ApiLimits {
  image: { maxBytes: number; types: string[]; minSide: number; maxSide: number };
  voice: { maxBytes: number; types: string[]; minSeconds: number; maxSeconds: number };
  promptChars: number;
  voiceTextChars: number;
  /** True when /api and /ws need an API key. */
  apiKeyRequired: boolean;
}

/** POST /api/jobs/:id/artifact-token (access.schema.json#/$defs/ArtifactToken). */
export interface ArtifactToken {
  jobId: string;
  /** Goes on the job's artifact URLs as ?token=. */
  token: string;
  expiresAt: string;
  /** Seconds it stays valid from the answer. */
  expiresIn: number;
}
