/**
 * Signed artifact tokens: a short-lived grant to GET the artifacts of one job without an API key, for the
 * URLs a browser fetches on its own (<video src>, <track src>, download links), which cannot carry a header.
 *
 * A token is `<expiry>.<mac>`: the expiry in Unix seconds and base64url(HMAC-SHA256(secret,
 * "myspinbot/artifacts/v1\n<jobId>\n<expiry>")). It holds no key and no secret; it is bound to one job; it
 * is checked in constant time, the signature before the expiry (a forged token is never called "expired").
 * Every API replica must share the secret for a token issued by one to be accepted by another.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ArtifactToken } from '@myspinbot/contracts';

export type TokenCheck = 'ok' | 'invalid' | 'expired';

export interface ArtifactTokenOptions {
  /** HMAC key; empty or absent = a random key for this process only. */
  secret?: string;
  ttlSeconds: number;
  /** Clock in ms (tests). */
  now?: () => number;
}

const DOMAIN = 'myspinbot/artifacts/v1';
const TOKEN = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

export class ArtifactTokens {
  readonly ttlSeconds: number;
  /** True when the key was drawn at random at start-up (tokens then work on this process only). */
  readonly ephemeral: boolean;
  private readonly key: Buffer;
  private readonly now: () => number;

  constructor(options: ArtifactTokenOptions) {
    const secret = options.secret ?? '';
    this.ephemeral = secret === '';
    this.key = this.ephemeral ? randomBytes(32) : Buffer.from(secret, 'utf8');
    this.ttlSeconds = options.ttlSeconds;
    this.now = options.now ?? Date.now;
  }

  private mac(jobId: string, expiry: number): Buffer {
    return createHmac('sha256', this.key).update(`${DOMAIN}\n${jobId}\n${expiry}`).digest();
  }

  /** A token for the artifacts of `jobId`, valid for ttlSeconds from now. */
  issue(jobId: string): ArtifactToken {
    const expiry = Math.floor(this.now() / 1000) + this.ttlSeconds;
    return {
      jobId,
      token: `${expiry}.${this.mac(jobId, expiry).toString('base64url')}`,
      expiresAt: new Date(expiry * 1000).toISOString(),
      expiresIn: this.ttlSeconds,
    };
  }

  /** Whether `token` grants the artifacts of `jobId` now. */
  verify(jobId: string, token: unknown): TokenCheck {
    if (typeof token !== 'string') return 'invalid';
    const match = TOKEN.exec(token);
    if (!match) return 'invalid';
    const [, expiryText = '', given = ''] = match;
    const expiry = Number(expiryText);
    // Compared as text: every base64url spelling but the canonical one is refused.
    const expected = Buffer.from(this.mac(jobId, expiry).toString('base64url'));
    const presented = Buffer.from(given);
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return 'invalid';
    return expiry * 1000 > this.now() ? 'ok' : 'expired';
  }
}
