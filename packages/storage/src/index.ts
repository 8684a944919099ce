export {
  createArtifactStore,
  DEFAULT_S3_REGION,
  parseStorageUrl,
  type S3Settings,
  type StorageLocation,
} from './create-store.js';
export {
  ARTIFACT_NAME_PATTERN,
  type ArtifactKeyParts,
  type ArtifactPrefixParts,
  artifactKey,
  isArtifactKey,
  isArtifactName,
  isJobId,
  isNodeId,
  JOB_ID_PATTERN,
  jobPrefix,
  KEYS_ROOT,
  NODE_ID_PATTERN,
  nodePrefix,
  parseArtifactKey,
  parseArtifactPrefix,
} from './keys.js';
export { LocalArtifactStore, type LocalArtifactStoreOptions } from './local/local-store.js';
export {
  artifactRefOf,
  checkContentType,
  DEFAULT_CONTENT_TYPE,
  isContentType,
  resolveRange,
} from './object.js';
export {
  isBucketName,
  normalizeS3Prefix,
  S3ArtifactStore,
  type S3ArtifactStoreOptions,
  type S3Credentials,
} from './s3/s3-store.js';
export type * from './types.js';
