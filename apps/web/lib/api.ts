/**
 * The HTTP client of the control-plane API. Every failure becomes an ApiError carrying the server's
 * `{error: {code, message, details?}}` (or a NETWORK_ERROR / BAD_RESPONSE of our own), so the UI can show
 * the code and the message as they are.
 *
 * With an API key, requests carry it in the x-api-key header and the WebSocket URL as ?apiKey= (the one
 * place the server reads it from a URL). Media and download URLs carry an artifact token of their job
 * instead (artifactUrl), never the key.
 */
import type {
  ApiLimits,
  ArtifactLink,
  ArtifactToken,
  CombinedManifest,
  JobDetail,
  JobPage,
  JobStatus,
  PipelineList,
  TrainAccepted,
  TrainRequest,
} from './types';

export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    /** HTTP status; 0 when no answer came back. */
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The error an answer carries, from its JSON body when it has the documented shape. */
export function errorFromBody(status: number, statusText: string, body: unknown): ApiError {
  if (isRecord(body) && isRecord(body.error)) {
    const { code, message, details } = body.error;
    if (typeof code === 'string' && typeof message === 'string')
      return new ApiError(status, code, message, isRecord(details) ? details : undefined);
  }
  return new ApiError(status, `HTTP_${status}`, statusText || `the server answered ${status}`);
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  /** Origin (and optional path prefix) of the API; '' for the page's own origin. */
  baseUrl?: string;
  fetch?: FetchLike;
  /** Where relative URLs resolve when baseUrl is '' (the page's location in a browser). */
  pageUrl?: string;
  /** Sent as x-api-key on every request (and ?apiKey= on /ws). */
  apiKey?: string | null;
  /** Told when the server refuses the key (401 UNAUTHORIZED). */
  onUnauthorized?: (error: ApiError) => void;
}

export interface JobListQuery {
  limit?: number;
  cursor?: string;
  status?: readonly JobStatus[];
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

export class ApiClient {
  readonly baseUrl: string;
  private readonly fetchImpl: FetchLike;
  private readonly pageUrl: string;
  private readonly apiKey: string | null;
  private readonly options: ApiClientOptions;

  constructor(options: ApiClientOptions = {}) {
    this.options = options;
    this.baseUrl = trimSlash(options.baseUrl ?? '');
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.pageUrl =
      options.pageUrl ?? (typeof window === 'undefined' ? 'http://localhost/' : window.location.href);
    this.apiKey = options.apiKey ? options.apiKey : null;
  }

  /** The same client with other options (a key entered, or forgotten). */
  with(options: Pick<ApiClientOptions, 'apiKey' | 'onUnauthorized'>): ApiClient {
    return new ApiClient({ ...this.options, ...options });
  }

  /** True when requests carry a key: media URLs then need an artifact token. */
  get hasApiKey(): boolean {
    return this.apiKey !== null;
  }

  private authHeaders(): Record<string, string> {
    return this.apiKey === null ? {} : { 'x-api-key': this.apiKey };
  }

  /** True when the API is on another origin than the page (media then need CORS). */
  get crossOrigin(): boolean {
    if (this.baseUrl === '') return false;
    return new URL(this.baseUrl, this.pageUrl).origin !== new URL(this.pageUrl).origin;
  }

  /** An absolute or root-relative URL of the API. */
  url(path: string): string {
    if (/^https?:\/\//.test(path)) return path;
    return `${this.baseUrl}${path.startsWith('/') ? path : `/${path}`}`;
  }

  /**
   * Where an artifact can be fetched, played or downloaded: with the artifact token of its job when one
   * is given (elements that load URLs themselves cannot send the key).
   */
  artifactUrl(artifact: Pick<ArtifactLink, 'url'>, token?: string | null): string {
    const url = this.url(artifact.url);
    if (!token) return url;
    return `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
  }

  /** The WebSocket endpoint: ws(s)://<api host>/ws, with ?apiKey= when a key is in use. */
  socketUrl(): string {
    const http = new URL(this.url('/ws'), this.pageUrl);
    http.protocol = http.protocol === 'https:' ? 'wss:' : 'ws:';
    if (this.apiKey !== null) http.searchParams.set('apiKey', this.apiKey);
    return http.toString();
  }

  private async request<T>(path: string, init: RequestInit = {}): Promise<T> {
    let response: Response;
    try {
      response = await this.fetchImpl(this.url(path), {
        ...init,
        headers: { accept: 'application/json', ...this.authHeaders(), ...init.headers },
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new ApiError(0, 'NETWORK_ERROR', `the API could not be reached (${reason})`);
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    let body: unknown = null;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        if (response.ok)
          throw new ApiError(response.status, 'BAD_RESPONSE', `the answer to ${path} is not JSON`);
      }
    }
    if (!response.ok) throw this.refused(errorFromBody(response.status, response.statusText, body));
    return body as T;
  }

  private refused(error: ApiError): ApiError {
    if (error.status === 401 && error.code === 'UNAUTHORIZED') this.options.onUnauthorized?.(error);
    return error;
  }

  /** The upload limits in force, and whether a key is needed (answered without a key). */
  limits(signal?: AbortSignal): Promise<ApiLimits> {
    return this.request('/api/limits', signal ? { signal } : {});
  }

  /** A short-lived token that opens the artifact URLs of one job (see artifactUrl). */
  artifactToken(jobId: string, signal?: AbortSignal): Promise<ArtifactToken> {
    return this.request(`/api/jobs/${encodeURIComponent(jobId)}/artifact-token`, {
      method: 'POST',
      ...(signal ? { signal } : {}),
    });
  }

  pipelines(signal?: AbortSignal): Promise<PipelineList> {
    return this.request('/api/pipelines', signal ? { signal } : {});
  }

  capabilities(signal?: AbortSignal): Promise<CombinedManifest> {
    return this.request('/api/capabilities', signal ? { signal } : {});
  }

  /** POST /api/train as multipart/form-data. */
  train(request: TrainRequest, signal?: AbortSignal): Promise<TrainAccepted> {
    const form = new FormData();
    form.set('prompt', request.prompt);
    if (request.pipeline) form.set('pipeline', request.pipeline);
    if (Object.keys(request.options).length > 0) form.set('options', JSON.stringify(request.options));
    if (request.voiceText) form.set('voiceText', request.voiceText);
    if (request.image) form.set('image', request.image, fileName(request.image, 'portrait'));
    if (request.voice) form.set('voice', request.voice, fileName(request.voice, 'voice.wav'));
    return this.request('/api/train', { method: 'POST', body: form, ...(signal ? { signal } : {}) });
  }

  job(jobId: string, signal?: AbortSignal): Promise<JobDetail> {
    return this.request(`/api/jobs/${encodeURIComponent(jobId)}`, signal ? { signal } : {});
  }

  jobs(query: JobListQuery = {}, signal?: AbortSignal): Promise<JobPage> {
    const params = new URLSearchParams();
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.cursor) params.set('cursor', query.cursor);
    if (query.status && query.status.length > 0) params.set('status', query.status.join(','));
    const search = params.toString();
    return this.request(`/api/jobs${search ? `?${search}` : ''}`, signal ? { signal } : {});
  }

  cancel(jobId: string): Promise<JobDetail> {
    return this.request(`/api/jobs/${encodeURIComponent(jobId)}/cancel`, { method: 'POST' });
  }

  retry(jobId: string): Promise<JobDetail> {
    return this.request(`/api/jobs/${encodeURIComponent(jobId)}/retry`, { method: 'POST' });
  }

  remove(jobId: string): Promise<void> {
    return this.request(`/api/jobs/${encodeURIComponent(jobId)}`, { method: 'DELETE' });
  }

  /** A small text artifact (script, narration) as text. */
  async text(artifact: Pick<ArtifactLink, 'url'>, signal?: AbortSignal): Promise<string> {
    let response: Response;
    try {
      response = await this.fetchImpl(this.artifactUrl(artifact), {
        headers: this.authHeaders(),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') throw error;
      throw new ApiError(0, 'NETWORK_ERROR', 'the artifact could not be fetched');
    }
    const text = await response.text();
    if (!response.ok) {
      let body: unknown = null;
      try {
        body = JSON.parse(text);
      } catch {
        body = null;
      }
      throw this.refused(errorFromBody(response.status, response.statusText, body));
    }
    return text;
  }
}

function fileName(blob: Blob, fallback: string): string {
  return typeof File !== 'undefined' && blob instanceof File && blob.name ? blob.name : fallback;
}

/** The message to show for any error, with the server's code when there is one. */
export function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof ApiError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: 'CLIENT_ERROR', message: error.message };
  return { code: 'CLIENT_ERROR', message: String(error) };
}
