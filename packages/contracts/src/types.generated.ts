/* Generated from packages/contracts/schemas by `npm run gen`. Do not edit: change the schema and regenerate. */

/**
 * Job (= workflow) id: letters, digits, '_' and '-', 1..64 characters.
 */
export type JobId = string;
/**
 * ISO-8601 date-time in UTC.
 */
export type Timestamp = string;
/**
 * Node id, unique within a graph: letters, digits, '_', '.' and '-', 1..64 characters.
 */
export type NodeId = string;
/**
 * Execution plane of a node. 'node' is the control plane, 'python' the data plane (name kept for wire compatibility with the seed).
 */
export type Plane = 'node' | 'python';
/**
 * Stable machine-readable error code in UPPER_SNAKE_CASE.
 */
export type ErrorCode = string;
export type NodeStatus = 'pending' | 'ready' | 'running' | 'completed' | 'failed' | 'skipped' | 'cancelled';
export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
/**
 * Published on the events channel while a job runs. 'status': the job or one of its nodes changed status; 'progress': a node reported progress; 'data': a node published a named value (for example a partial result).
 */
export type JobEvent = {
  type: 'status' | 'progress' | 'data';
  jobId: JobId;
  at: Timestamp;
  status?: JobStatus;
  progress?: number;
  nodeId?: NodeId;
  nodeStatus?: NodeStatus;
  nodeProgress?: number;
  message?: string;
  key?: string;
  value?: unknown;
  error?: JobFailure;
};

/**
 * The effective limits of POST /api/train on this deployment (config api.* and the upload checks), and whether /api needs a key. Served without a key, so a page can read it before it asks for one.
 */
export interface ApiLimits {
  /**
   * The portrait upload.
   */
  image: {
    maxBytes: number;
    /**
     * Accepted content types (checked by content, not by name).
     */
    types: string[];
    /**
     * Shortest side allowed (px).
     */
    minSide: number;
    /**
     * Longest side allowed (px).
     */
    maxSide: number;
  };
  /**
   * The voice sample upload.
   */
  voice: {
    maxBytes: number;
    /**
     * Accepted content types (checked by content, not by name).
     */
    types: string[];
    minSeconds: number;
    maxSeconds: number;
  };
  /**
   * Longest prompt (characters, after trimming).
   */
  promptChars: number;
  /**
   * Longest voice transcript (characters, after trimming).
   */
  voiceTextChars: number;
  /**
   * True when /api and /ws need an API key (API_KEYS is set).
   */
  apiKeyRequired: boolean;
}
/**
 * A signed, short-lived grant to GET the artifacts of one job without an API key, for URLs that cannot carry a header (<video src>, <track src>, download links): append ?token=<token> to the job's artifact URLs. Ask for a new one before expiresIn runs out.
 */
export interface ArtifactToken {
  jobId: JobId;
  /**
   * <expiry in Unix seconds>.<HMAC-SHA256, base64url>
   */
  token: string;
  expiresAt: Timestamp;
  /**
   * Seconds the token stays valid from the time of the answer.
   */
  expiresIn: number;
}
/**
 * A stored file produced or consumed by a job. The key is derived from job and node ids only: jobs/<jobId>/<nodeId>/<name>.
 */
export interface ArtifactRef {
  key: string;
  jobId: JobId;
  nodeId: NodeId;
  name: string;
  contentType: string;
  size: number;
  sha256?: string;
  createdAt?: Timestamp;
}
export interface BusConfig {
  /**
   * Namespace of every key, stream and channel.
   */
  prefix: string;
  /**
   * Lifetime of a job record after its last write (s).
   */
  jobTtlSeconds: number;
  /**
   * An entry idle this long (ms) in a consumer's pending list is reclaimed by another consumer.
   */
  visibilityTimeoutMs: number;
  /**
   * How often (ms) a consumer refreshes its claim on entries it is working on; must be well under visibilityTimeoutMs.
   */
  heartbeatIntervalMs: number;
  /**
   * How often (ms) a consumer looks for stale entries.
   */
  reclaimIntervalMs: number;
  /**
   * An entry delivered this many times is dead-lettered and its job failed.
   */
  maxDeliveries: number;
  /**
   * XREADGROUP block time (ms).
   */
  blockMs: number;
  /**
   * How often (ms) acknowledged entries are trimmed.
   */
  trimIntervalMs: number;
  /**
   * How often (ms) the bus checks that Redis still holds its state (a Redis that restarted empty).
   */
  resetCheckIntervalMs: number;
}
/**
 * Fields of an entry on a plane stream (all strings on the wire).
 */
export interface StreamEntry {
  jobId: JobId;
  /**
   * The whole WorkflowGraph as JSON text.
   */
  graph: string;
  /**
   * Plane that enqueued the entry, or 'api'.
   */
  from?: string;
}
export interface ServiceDescriptor {
  name: string;
  description?: string;
  timeoutMs?: number;
  /**
   * The engine that backs the service on this plane (built-in or adapter).
   */
  engine?: string;
}
export interface PlaneManifest {
  plane: Plane;
  executor?: {
    id: string;
    hostname?: string;
    version?: string;
  };
  services: ServiceDescriptor[];
}
/**
 * The manifests of both planes; a plane that did not answer is null and listed in 'unavailable'.
 */
export interface CombinedManifest {
  planes: {
    node: PlaneManifest | null;
    python: PlaneManifest | null;
  };
  /**
   * Every service name a plane advertises, as 'plane/service'.
   */
  services: string[];
  unavailable: {
    plane: Plane;
    reason: string;
  }[];
  generatedAt: Timestamp;
}
/**
 * A failure, serialisable across processes.
 */
export interface NodeError {
  code: ErrorCode;
  message: string;
  retryable: boolean;
  details?: {
    [k: string]: unknown | undefined;
  };
}
/**
 * Configuration of every MySpinBot process (api, worker, embedded). Files are merged over the defaults, then environment variables override single fields (see docs/operations.md).
 */
export interface AppConfig {
  server: {
    /**
     * Interface to listen on.
     */
    host: string;
    /**
     * TCP port (0 = any free port).
     */
    port: number;
  };
  bus: {
    /**
     * 'memory' keeps the bus in process (embedded mode only); 'redis' uses Redis Streams.
     */
    kind: 'memory' | 'redis';
    redisUrl: string;
    timings: BusConfig;
  };
  executor: {
    /**
     * Jobs the control executor works on at once.
     */
    controlConcurrency: number;
    /**
     * Jobs a data-plane executor works on at once.
     */
    dataConcurrency: number;
    defaultNodeTimeoutMs: number;
    /**
     * Graceful shutdown: time in-flight work gets to finish before it is released (ms).
     */
    drainTimeoutMs: number;
  };
  services: {
    /**
     * Register the diag.* services (noop, sleep, fail, echo) on both planes.
     */
    diagnostics: boolean;
  };
  capabilities: {
    /**
     * How long GET /api/capabilities waits for the data plane (ms).
     */
    timeoutMs: number;
  };
  log: {
    level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  };
  api: {
    /**
     * Largest portrait upload (bytes).
     */
    maxImageBytes: number;
    /**
     * Largest voice sample upload (bytes).
     */
    maxVoiceBytes: number;
    maxPromptChars: number;
    maxVoiceTextChars: number;
    /**
     * When not empty, every /api and /ws request needs one of these keys (header x-api-key, Authorization: Bearer, or ?apiKey= on /ws).
     */
    apiKeys: string[];
    /**
     * Origins allowed by CORS and for WebSocket connections ('*' allows any).
     */
    corsOrigins: string[];
    /**
     * Requests per minute per client on /api (0 = unlimited).
     */
    rateLimitPerMinute: number;
    /**
     * Hosts a job's callbackUrl may point to (exact host names; empty = webhooks disabled).
     */
    callbackHosts: string[];
    /**
     * Base URL clients reach the API at (used in artifact links); empty = relative links.
     */
    publicUrl: string;
    /**
     * Key of the HMAC-SHA256 that signs artifact tokens (?token= on artifact URLs, for media elements that cannot send an API key). Empty = a random key per process: tokens then work only on the replica that issued them, so set the same secret (at least 32 characters) on every API replica.
     */
    artifactTokenSecret?: string;
    /**
     * How long an artifact token stays valid (s).
     */
    artifactTokenTtlSeconds: number;
    /**
     * Take the client address from X-Forwarded-For (set behind a reverse proxy such as Traefik, so rate limits apply per client).
     */
    trustProxy?: boolean;
  };
  storage: {
    /**
     * file:./data/artifacts, file:///abs/path or s3://bucket/prefix
     */
    url: string;
    s3?: {
      endpoint?: string;
      region?: string;
      forcePathStyle?: boolean;
      accessKeyId?: string;
      secretAccessKey?: string;
      createBucket?: boolean;
    };
  };
  history: {
    /**
     * sqlite:./data/history.sqlite or postgres://...
     */
    url: string;
  };
  engines: {
    script: {
      /**
       * direct | template | auto (built-in, no LLM) | ollama | openai
       */
      kind: 'direct' | 'template' | 'auto' | 'ollama' | 'openai';
      /**
       * Base URL; empty = not configured (not advertised).
       */
      url?: string;
      model?: string;
      apiKey?: string;
      timeoutMs?: number;
    };
    speech: {
      /**
       * espeak (built-in) | openai (an OpenAI-compatible /v1/audio/speech server)
       */
      kind: 'espeak' | 'openai';
      /**
       * Base URL; empty = not configured (not advertised).
       */
      url?: string;
      model?: string;
      voice?: string;
      apiKey?: string;
      timeoutMs?: number;
    };
    cloning: {
      /**
       * Base URL; empty = not configured (not advertised).
       */
      url?: string;
      apiKey?: string;
      timeoutMs?: number;
    };
    portrait: {
      fps: number;
      crf: number;
      preset: 'ultrafast' | 'superfast' | 'veryfast' | 'faster' | 'fast' | 'medium' | 'slow';
      /**
       * Short side of the output when the request names no size (px).
       */
      shortSide: number;
    };
    comfyui: {
      /**
       * Base URL; empty = not configured (not advertised).
       */
      url?: string;
      /**
       * File with {workflow, inject} for talking-portrait rendering.
       */
      portraitWorkflow?: string;
      /**
       * File with {workflow, inject} for upscaling.
       */
      upscaleWorkflow?: string;
      timeoutMs?: number;
    };
    lora: {
      /**
       * Command that turns a dataset folder into LoRA weights: run with the dataset folder and the output file as its last two arguments. Empty = dataset preparation only.
       */
      trainerCommand?: string;
      timeoutMs?: number;
    };
  };
  web: {
    /**
     * Folder of the built web UI (Next.js static export) served at / by the API; relative to the working directory; empty or missing folder = no UI.
     */
    dir: string;
  };
}
/**
 * A job's workflow graph (format langgraph.v1): a DAG of service calls spread over the control plane ('node') and the data plane ('python'). The whole graph travels between the planes.
 */
export interface WorkflowGraph {
  schema: 'langgraph.v1';
  workflowId: JobId;
  context?: GraphContext;
  metadata?: GraphMetadata;
  /**
   * @minItems 1
   * @maxItems 256
   */
  nodes: GraphNode[];
  /**
   * @maxItems 1024
   */
  edges: GraphEdge[];
}
/**
 * Job-level inputs every node can read (prompt, input artifacts, options).
 */
export interface GraphContext {
  [k: string]: unknown | undefined;
}
export interface GraphMetadata {
  pipeline: string;
  createdAt: Timestamp;
  version?: string;
  labels?: {
    [k: string]: string | undefined;
  };
}
export interface GraphNode {
  id: NodeId;
  name: string;
  service: string;
  plane: Plane;
  status: NodeStatus;
  /**
   * Static parameters from the pipeline catalog.
   */
  params?: {
    [k: string]: unknown | undefined;
  };
  /**
   * Static input merged under the outputs of upstream nodes (see GraphEdge.as).
   */
  input?: {
    [k: string]: unknown | undefined;
  };
  /**
   * What the service returned; null until completed.
   */
  output?: {
    [k: string]: unknown | undefined;
  } | null;
  error?: NodeError | null;
  progress?: number;
  progressWeight?: number;
  attempts?: number;
  timeoutMs?: number;
  timings?: NodeTimings;
}
export interface NodeTimings {
  startedAt?: Timestamp;
  finishedAt?: Timestamp;
  durationMs?: number;
}
export interface GraphEdge {
  from: NodeId;
  to: NodeId;
  /**
   * 'data' (default): the upstream output becomes input[as ?? from] of the downstream node; 'order': ordering only.
   */
  kind?: 'data' | 'order';
  /**
   * Input slot name for a data edge (defaults to the upstream node id).
   */
  as?: string;
}
/**
 * Why a job failed: the node and its error.
 */
export interface JobFailure {
  nodeId?: NodeId;
  code: ErrorCode;
  message: string;
  retryable: boolean;
  details?: {
    [k: string]: unknown | undefined;
  };
}
export interface NodeState {
  id: NodeId;
  name: string;
  service: string;
  plane: Plane;
  status: NodeStatus;
  progress: number;
  attempts?: number;
  timings?: NodeTimings;
  error?: NodeError;
}
/**
 * A job as clients see it (HTTP status, WebSocket updates).
 */
export interface JobState {
  jobId: JobId;
  status: JobStatus;
  progress: number;
  pipeline?: string;
  currentPlane?: Plane;
  currentNodeId?: NodeId;
  createdAt?: Timestamp;
  updatedAt: Timestamp;
  error?: JobFailure;
  nodes: NodeState[];
}
/**
 * Named pipelines the planner turns into workflow graphs (config/pipelines.json).
 */
export interface PipelineCatalog {
  /**
   * Pipeline used when a request names none.
   */
  default: string;
  pipelines: {
    [k: string]: PipelineTemplate | undefined;
  };
}
export interface PipelineTemplate {
  description: string;
  /**
   * Offered to users through POST /api/train (default true).
   */
  public?: boolean;
  /**
   * Uploads the pipeline needs: 'image' (portrait) and/or 'voice'.
   */
  inputs?: ('image' | 'voice')[];
  /**
   * @minItems 1
   */
  nodes: TemplateNode[];
  edges: GraphEdge[];
}
export interface TemplateNode {
  id: NodeId;
  name: string;
  service: string;
  plane: Plane;
  params?: {
    [k: string]: unknown | undefined;
  };
  progressWeight?: number;
  timeoutMs?: number;
  /**
   * The node runs only when the request has this upload ('input') or this option set to a truthy value ('option'); otherwise the planner marks it skipped.
   */
  when?: {
    input?: 'image' | 'voice';
    option?: string;
  };
}
/**
 * The 'options' field of POST /api/train (JSON).
 */
export interface TrainOptions {
  /**
   * Output width in pixels (even).
   */
  width?: number;
  /**
   * Output height in pixels (even).
   */
  height?: number;
  fps?: number;
  /**
   * Burn karaoke captions into the video (a WebVTT sidecar is always written).
   */
  captions?: boolean;
  /**
   * Scale factor applied when finalising.
   */
  upscale?: 1 | 1.5 | 2;
  language?: string;
  maxWords?: number;
  scriptMode?: 'auto' | 'direct' | 'template' | 'llm';
  /**
   * Also prepare a LoRA dataset (and train when a trainer is configured).
   */
  trainLora?: boolean;
  seed?: string;
}
export interface TrainAccepted {
  jobId: JobId;
  status: JobStatus;
  pipeline?: string;
}
