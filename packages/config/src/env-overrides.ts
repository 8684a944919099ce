/**
 * Environment variables that override single configuration fields: one variable per field, with its type.
 * This table is the only place that names environment variables (docs/operations.md lists it).
 */
export type EnvType = 'string' | 'integer' | 'boolean' | 'list';

export interface EnvOverride {
  readonly env: string;
  /** Dotted path in AppConfig. */
  readonly path: string;
  readonly type: EnvType;
  readonly description: string;
}

export const ENV_OVERRIDES: readonly EnvOverride[] = [
  { env: 'HOST', path: 'server.host', type: 'string', description: 'interface to listen on' },
  { env: 'PORT', path: 'server.port', type: 'integer', description: 'HTTP port' },
  { env: 'BUS_KIND', path: 'bus.kind', type: 'string', description: "'memory' (embedded only) or 'redis'" },
  {
    env: 'REDIS_URL',
    path: 'bus.redisUrl',
    type: 'string',
    description: 'Redis URL (also selects the Redis bus)',
  },
  {
    env: 'BUS_PREFIX',
    path: 'bus.timings.prefix',
    type: 'string',
    description: 'namespace of every Redis key',
  },
  {
    env: 'JOB_TTL_SECONDS',
    path: 'bus.timings.jobTtlSeconds',
    type: 'integer',
    description: 'job record lifetime (s)',
  },
  {
    env: 'VISIBILITY_TIMEOUT_MS',
    path: 'bus.timings.visibilityTimeoutMs',
    type: 'integer',
    description: 'idle time after which an entry is reclaimed (ms)',
  },
  {
    env: 'HEARTBEAT_INTERVAL_MS',
    path: 'bus.timings.heartbeatIntervalMs',
    type: 'integer',
    description: 'claim refresh interval (ms)',
  },
  {
    env: 'RECLAIM_INTERVAL_MS',
    path: 'bus.timings.reclaimIntervalMs',
    type: 'integer',
    description: 'how often idle entries are looked for (ms)',
  },
  {
    env: 'MAX_DELIVERIES',
    path: 'bus.timings.maxDeliveries',
    type: 'integer',
    description: 'deliveries before an entry is dead-lettered',
  },
  {
    env: 'BLOCK_MS',
    path: 'bus.timings.blockMs',
    type: 'integer',
    description: 'XREADGROUP block time (ms)',
  },
  {
    env: 'TRIM_INTERVAL_MS',
    path: 'bus.timings.trimIntervalMs',
    type: 'integer',
    description: 'stream trim interval (ms)',
  },
  {
    env: 'RESET_CHECK_INTERVAL_MS',
    path: 'bus.timings.resetCheckIntervalMs',
    type: 'integer',
    description: 'how often a Redis that restarted empty is looked for (ms)',
  },
  {
    env: 'CONTROL_CONCURRENCY',
    path: 'executor.controlConcurrency',
    type: 'integer',
    description: 'jobs the control executor runs at once',
  },
  {
    env: 'WORKER_CONCURRENCY',
    path: 'executor.dataConcurrency',
    type: 'integer',
    description: 'jobs a data-plane executor runs at once',
  },
  {
    env: 'NODE_TIMEOUT_MS',
    path: 'executor.defaultNodeTimeoutMs',
    type: 'integer',
    description: 'default node timeout (ms)',
  },
  {
    env: 'DRAIN_TIMEOUT_MS',
    path: 'executor.drainTimeoutMs',
    type: 'integer',
    description: 'graceful shutdown drain time (ms)',
  },
  {
    env: 'DIAGNOSTICS',
    path: 'services.diagnostics',
    type: 'boolean',
    description: 'register the diag.* services',
  },
  {
    env: 'CAPABILITIES_TIMEOUT_MS',
    path: 'capabilities.timeoutMs',
    type: 'integer',
    description: 'how long /api/capabilities waits for the data plane (ms)',
  },
  { env: 'LOG_LEVEL', path: 'log.level', type: 'string', description: 'pino log level' },
  {
    env: 'MAX_IMAGE_BYTES',
    path: 'api.maxImageBytes',
    type: 'integer',
    description: 'largest portrait upload (bytes)',
  },
  {
    env: 'MAX_VOICE_BYTES',
    path: 'api.maxVoiceBytes',
    type: 'integer',
    description: 'largest voice sample upload (bytes)',
  },
  {
    env: 'API_KEYS',
    path: 'api.apiKeys',
    type: 'list',
    description: 'comma-separated API keys (empty: no auth)',
  },
  {
    env: 'CORS_ORIGINS',
    path: 'api.corsOrigins',
    type: 'list',
    description: "comma-separated allowed origins ('*' = any)",
  },
  {
    env: 'RATE_LIMIT_PER_MINUTE',
    path: 'api.rateLimitPerMinute',
    type: 'integer',
    description: 'requests per minute per client (0 = off)',
  },
  {
    env: 'CALLBACK_HOSTS',
    path: 'api.callbackHosts',
    type: 'list',
    description: 'hosts webhooks may be sent to',
  },
  {
    env: 'PUBLIC_URL',
    path: 'api.publicUrl',
    type: 'string',
    description: 'base URL of the API for artifact links',
  },
  {
    env: 'ARTIFACT_TOKEN_SECRET',
    path: 'api.artifactTokenSecret',
    type: 'string',
    description:
      'HMAC key of artifact tokens, >= 32 characters; the same on every API replica (empty: random per process)',
  },
  {
    env: 'ARTIFACT_TOKEN_TTL_SECONDS',
    path: 'api.artifactTokenTtlSeconds',
    type: 'integer',
    description: 'lifetime of an artifact token (s, 60..86400)',
  },
  {
    env: 'STORAGE_URL',
    path: 'storage.url',
    type: 'string',
    description: 'file:./data/artifacts or s3://bucket/prefix',
  },
  { env: 'S3_ENDPOINT', path: 'storage.s3.endpoint', type: 'string', description: 'S3/MinIO endpoint URL' },
  { env: 'S3_REGION', path: 'storage.s3.region', type: 'string', description: 'S3 region' },
  {
    env: 'S3_FORCE_PATH_STYLE',
    path: 'storage.s3.forcePathStyle',
    type: 'boolean',
    description: 'path-style S3 URLs (MinIO)',
  },
  { env: 'AWS_ACCESS_KEY_ID', path: 'storage.s3.accessKeyId', type: 'string', description: 'S3 access key' },
  {
    env: 'AWS_SECRET_ACCESS_KEY',
    path: 'storage.s3.secretAccessKey',
    type: 'string',
    description: 'S3 secret key',
  },
  {
    env: 'LLM_KIND',
    path: 'engines.script.kind',
    type: 'string',
    description: 'script writer: direct, template, auto, ollama, openai',
  },
  {
    env: 'LLM_URL',
    path: 'engines.script.url',
    type: 'string',
    description: 'Ollama or OpenAI-compatible base URL',
  },
  { env: 'LLM_MODEL', path: 'engines.script.model', type: 'string', description: 'LLM model name' },
  { env: 'LLM_API_KEY', path: 'engines.script.apiKey', type: 'string', description: 'LLM API key' },
  {
    env: 'TTS_KIND',
    path: 'engines.speech.kind',
    type: 'string',
    description: 'speech engine: espeak or openai',
  },
  {
    env: 'TTS_URL',
    path: 'engines.speech.url',
    type: 'string',
    description: 'OpenAI-compatible speech server base URL',
  },
  { env: 'TTS_MODEL', path: 'engines.speech.model', type: 'string', description: 'speech model name' },
  { env: 'TTS_VOICE', path: 'engines.speech.voice', type: 'string', description: 'speech voice name' },
  { env: 'TTS_API_KEY', path: 'engines.speech.apiKey', type: 'string', description: 'speech API key' },
  {
    env: 'CLONING_URL',
    path: 'engines.cloning.url',
    type: 'string',
    description: 'zero-shot voice cloning server base URL',
  },
  { env: 'COMFYUI_URL', path: 'engines.comfyui.url', type: 'string', description: 'ComfyUI base URL' },
  {
    env: 'COMFYUI_PORTRAIT_WORKFLOW',
    path: 'engines.comfyui.portraitWorkflow',
    type: 'string',
    description: 'ComfyUI talking-portrait workflow file',
  },
  {
    env: 'COMFYUI_UPSCALE_WORKFLOW',
    path: 'engines.comfyui.upscaleWorkflow',
    type: 'string',
    description: 'ComfyUI upscaling workflow file',
  },
  {
    env: 'LORA_TRAINER_COMMAND',
    path: 'engines.lora.trainerCommand',
    type: 'string',
    description: 'LoRA trainer command',
  },
  {
    env: 'DATABASE_URL',
    path: 'history.url',
    type: 'string',
    description: 'sqlite:./data/history.sqlite or postgres://...',
  },
  {
    env: 'WEB_DIR',
    path: 'web.dir',
    type: 'string',
    description: 'built web UI folder served at / (empty: none)',
  },
  {
    env: 'TRUST_PROXY',
    path: 'api.trustProxy',
    type: 'boolean',
    description: 'trust X-Forwarded-For (behind a reverse proxy)',
  },
];
