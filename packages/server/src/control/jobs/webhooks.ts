/**
 * Per-job webhooks: a POST of the terminal state to the job's callbackUrl, only to hosts on the
 * allow-list (checked when the job is created, and again before sending), with a timeout and a few
 * retries. Sent at most once per job: once by this process, and, with a `claim` shared by the API
 * replicas (Bus.claimOnce), once among all of them.
 */

import { MySpinBotError } from '@myspinbot/contracts';
import type { JobHistoryEntry } from '@myspinbot/history';
import type { PinoLogger } from '@myspinbot/telemetry';
import { artifactUrl } from './artifacts.js';

export function checkCallbackUrl(raw: string, allowedHosts: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new MySpinBotError('SCHEMA_INVALID', 'callbackUrl is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new MySpinBotError('SCHEMA_INVALID', 'callbackUrl must be http or https');
  }
  if (url.username || url.password)
    throw new MySpinBotError('SCHEMA_INVALID', 'callbackUrl must not carry credentials');
  if (!allowedHosts.includes(url.hostname)) {
    throw new MySpinBotError(
      'CALLBACK_NOT_ALLOWED',
      `callbackUrl host '${url.hostname}' is not on the allow-list`,
      {
        details: { allowedHosts: [...allowedHosts] },
      },
    );
  }
  return url.toString();
}

export class WebhookSender {
  private readonly sent = new Set<string>();

  constructor(
    private readonly allowedHosts: readonly string[],
    private readonly publicUrl: string,
    private readonly logger: PinoLogger,
    private readonly options: {
      timeoutMs?: number;
      attempts?: number;
      /** True when this process may send the job's webhook (the first to ask among the replicas). */
      claim?: (jobId: string) => Promise<boolean>;
    } = {},
  ) {}

  notify(entry: JobHistoryEntry): void {
    const raw = entry.input.callbackUrl;
    if (typeof raw !== 'string' || this.sent.has(entry.jobId)) return;
    this.sent.add(entry.jobId);
    void this.claimAndSend(raw, entry);
  }

  private async claimAndSend(raw: string, entry: JobHistoryEntry): Promise<void> {
    const { claim } = this.options;
    if (claim !== undefined) {
      try {
        if (!(await claim(entry.jobId))) {
          this.logger.debug({ jobId: entry.jobId }, 'webhook left to the replica that claimed it');
          return;
        }
      } catch (error) {
        // Without the shared claim this replica cannot know; sending twice beats never sending.
        this.logger.warn({ jobId: entry.jobId, err: error }, 'webhook claim failed; sending anyway');
      }
    }
    await this.send(raw, entry);
  }

  private async send(raw: string, entry: JobHistoryEntry): Promise<void> {
    let url: string;
    try {
      url = checkCallbackUrl(raw, this.allowedHosts);
    } catch (error) {
      this.logger.warn({ jobId: entry.jobId, err: error }, 'webhook not sent');
      return;
    }
    const body = JSON.stringify({
      jobId: entry.jobId,
      status: entry.status,
      pipeline: entry.pipeline,
      finishedAt: entry.finishedAt,
      error: entry.error,
      artifacts: entry.artifacts.map((ref) => ({ ...ref, url: artifactUrl(ref, this.publicUrl) })),
    });
    const attempts = this.options.attempts ?? 3;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'myspinbot-webhook/1' },
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
        });
        if (response.ok) {
          this.logger.info({ jobId: entry.jobId, status: response.status }, 'webhook delivered');
          return;
        }
        this.logger.warn(
          { jobId: entry.jobId, status: response.status, attempt },
          'webhook answered with an error',
        );
        if (response.status < 500) return;
      } catch (error) {
        this.logger.warn({ jobId: entry.jobId, err: error, attempt }, 'webhook failed');
      }
      await new Promise((r) => setTimeout(r, 500 * 2 ** (attempt - 1)));
    }
  }
}
