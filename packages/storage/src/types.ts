/**
 * The artifact store contract. Two implementations keep it: LocalArtifactStore (a folder) and
 * S3ArtifactStore (S3 or an S3-compatible server such as MinIO). One conformance suite
 * (test/conformance.ts) runs against both.
 *
 * Every key is `jobs/<jobId>/<nodeId>/<name>` (see keys.ts); every method checks its key before it touches
 * the file system or the network and rejects anything else with ARTIFACT_KEY_INVALID.
 */
import type { ArtifactRef } from '@myspinbot/contracts';

/** What the store knows about one stored object. */
export interface StoredObject {
  key: string;
  size: number;
  contentType: string;
  /** Hex SHA-256 of the bytes, recorded when the object was written; absent when it cannot be vouched for. */
  sha256?: string;
  /** ISO-8601 time of the last write. */
  updatedAt: string;
}

/** A byte range, both ends inclusive, as in HTTP. */
export interface ByteRange {
  start: number;
  end: number;
}

/** A requested range: from `start` to `end` inclusive, or to the end of the object when `end` is absent. */
export interface RangeRequest {
  start: number;
  end?: number;
}

export type PutBody = Buffer | Uint8Array | NodeJS.ReadableStream;

export interface PutOptions {
  /** MIME type, recorded with the object (printable ASCII, at most 255 characters). */
  contentType: string;
}

export interface GetResult {
  object: StoredObject;
  /** The requested bytes (the whole object when no range was asked for). */
  body: NodeJS.ReadableStream;
  /** The range actually served (`end` clamped to the last byte), or null for the whole object. */
  range: ByteRange | null;
}

export interface ArtifactStore {
  readonly kind: 'local' | 's3';
  /** Creates the folder, or checks (and with createBucket, creates) the bucket. */
  init(): Promise<void>;
  /** True when the store can be reached (for /ready); never throws. */
  ping(): Promise<boolean>;
  /**
   * Writes an object. Atomic: readers see the old object or the whole new one, never a partial one.
   * Overwriting is allowed (node re-runs write the same keys). Streams are hashed while they flow.
   */
  put(key: string, body: PutBody, options: PutOptions): Promise<StoredObject>;
  /** put() with the bytes of a local file. */
  putFile(key: string, path: string, options: PutOptions): Promise<StoredObject>;
  /** The object's description, or null when absent. */
  head(key: string): Promise<StoredObject | null>;
  /**
   * The object's bytes (or a range of them), or null when absent. A range that starts past the last byte
   * fails with RANGE_NOT_SATISFIABLE; an `end` past the last byte is clamped.
   */
  get(key: string, range?: RangeRequest): Promise<GetResult | null>;
  /** The whole object in memory, or null when absent (for small artifacts only). */
  getBuffer(key: string): Promise<Buffer | null>;
  /** Writes the object to a local file (atomically); ARTIFACT_NOT_FOUND when absent. */
  downloadTo(key: string, path: string): Promise<StoredObject>;
  /** Objects under a prefix: 'jobs/', 'jobs/<jobId>/' or 'jobs/<jobId>/<nodeId>/'; sorted by key. */
  list(prefix: string): Promise<StoredObject[]>;
  /** Removes one object; false when there was none. */
  delete(key: string): Promise<boolean>;
  /** Removes every object under a prefix (same rule as list); answers how many were removed. */
  deletePrefix(prefix: string): Promise<number>;
  /** The contract form of a stored object (jobId, nodeId and name come from its key). */
  toArtifactRef(object: StoredObject): ArtifactRef;
  /** Releases sockets and handles; the store is not used afterwards. */
  close(): Promise<void>;
}
