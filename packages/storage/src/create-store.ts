/**
 * The artifact store named by a storage URL:
 * - `file:///abs/path` (or `file:/abs/path`): a LocalArtifactStore rooted there;
 * - `file:./relative` or `file:relative`: a LocalArtifactStore rooted at that path resolved against the
 *   given base directory (required for this form);
 * - `s3://bucket` or `s3://bucket/optional/prefix`: an S3ArtifactStore on that bucket, keys under the
 *   prefix, connection settings from the second argument.
 * Anything else is CONFIG_INVALID naming the value (with any user:password part hidden).
 */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MySpinBotError } from '@myspinbot/contracts';
import { LocalArtifactStore } from './local/local-store.js';
import {
  isBucketName,
  normalizeS3Prefix,
  S3ArtifactStore,
  type S3ArtifactStoreOptions,
} from './s3/s3-store.js';
import type { ArtifactStore } from './types.js';

/** Connection settings for s3:// URLs (the bucket and prefix come from the URL). */
export type S3Settings = Omit<S3ArtifactStoreOptions, 'bucket' | 'prefix' | 'region'> & {
  /** Default 'us-east-1' (what MinIO and s3rver expect). */
  region?: string;
};

export type StorageLocation =
  | { kind: 'local'; root: string }
  | { kind: 's3'; bucket: string; prefix: string };

export const DEFAULT_S3_REGION = 'us-east-1';

/** The URL with any user:password part replaced, safe for an error message. */
function redacted(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1***@').slice(0, 300);
}

function bad(url: string, reason: string): MySpinBotError {
  return new MySpinBotError('CONFIG_INVALID', `invalid storage URL "${redacted(url)}": ${reason}`, {
    details: {
      url: redacted(url),
      reason,
      expected: 'file:///absolute/path, file:./relative/path or s3://bucket[/prefix]',
    },
  });
}

/** Where a storage URL points; throws CONFIG_INVALID for anything but the forms above. */
export function parseStorageUrl(url: string, baseDir?: string): StorageLocation {
  if (typeof url !== 'string' || url.trim() === '') throw bad(String(url), 'it is empty');
  if (url.includes('\0')) throw bad(url, 'it contains a NUL character');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'file') {
    const rest = url.slice('file:'.length);
    if (rest === '') throw bad(url, 'it names no path');
    if (!rest.startsWith('/')) {
      if (baseDir === undefined || !isAbsolute(baseDir))
        throw bad(url, 'a relative file: URL needs an absolute base directory');
      if (/[?#]/.test(rest)) throw bad(url, 'a file: URL takes no query or fragment');
      let path: string;
      try {
        path = decodeURIComponent(rest);
      } catch {
        throw bad(url, 'it has a malformed %-escape');
      }
      if (path.includes('\0')) throw bad(url, 'it contains a NUL character');
      return { kind: 'local', root: resolve(baseDir, path) };
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw bad(url, 'it is not a valid URL');
    }
    if (parsed.host !== '' && parsed.host !== 'localhost') throw bad(url, 'a file: URL names no host');
    if (parsed.search !== '' || parsed.hash !== '') throw bad(url, 'a file: URL takes no query or fragment');
    try {
      return { kind: 'local', root: fileURLToPath(parsed) };
    } catch {
      throw bad(url, 'it is not a valid file path');
    }
  }
  if (scheme === 's3') {
    // The URL parser would quietly fold `a/../b` into `b`; a prefix is taken only as written.
    if (/\/\.{1,2}(?:\/|$)|%2e/i.test(url.slice('s3://'.length)))
      throw bad(url, "the key prefix may not contain '.' or '..' segments");
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw bad(url, 'it is not a valid URL');
    }
    if (parsed.username !== '' || parsed.password !== '')
      throw bad(url, 'credentials do not belong in the URL (use the S3 settings)');
    if (parsed.port !== '') throw bad(url, 'an s3: URL takes no port (set the S3 endpoint instead)');
    if (parsed.search !== '' || parsed.hash !== '') throw bad(url, 'an s3: URL takes no query or fragment');
    if (!isBucketName(parsed.hostname)) throw bad(url, `"${parsed.hostname}" is not a valid bucket name`);
    let prefix: string;
    try {
      prefix = normalizeS3Prefix(decodeURIComponent(parsed.pathname));
    } catch {
      throw bad(url, 'the key prefix may hold only A-Z a-z 0-9 _ . - segments');
    }
    return { kind: 's3', bucket: parsed.hostname, prefix };
  }
  throw bad(url, scheme === undefined ? 'it has no scheme' : `the scheme "${scheme}:" is not supported`);
}

/** The artifact store a storage URL names (call init() before use). */
export function createArtifactStore(url: string, s3: S3Settings = {}, baseDir?: string): ArtifactStore {
  const location = parseStorageUrl(url, baseDir);
  if (location.kind === 'local') return new LocalArtifactStore({ root: location.root });
  return new S3ArtifactStore({
    ...s3,
    region: s3.region ?? DEFAULT_S3_REGION,
    bucket: location.bucket,
    prefix: location.prefix,
  });
}
