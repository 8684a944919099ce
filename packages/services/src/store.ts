import type { AppConfig } from '@myspinbot/contracts';
import { type ArtifactStore, createArtifactStore } from '@myspinbot/storage';

/** The artifact store named by the configuration (every process composes it the same way). */
export function storeFromConfig(config: AppConfig): ArtifactStore {
  const s3 = config.storage.s3 ?? {};
  // A relative file: URL is relative to the working directory the process was started in.
  return createArtifactStore(
    config.storage.url,
    {
      ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
      ...(s3.region ? { region: s3.region } : {}),
      ...(s3.forcePathStyle !== undefined ? { forcePathStyle: s3.forcePathStyle } : {}),
      ...(s3.createBucket !== undefined ? { createBucket: s3.createBucket } : {}),
      ...(s3.accessKeyId && s3.secretAccessKey
        ? { credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } }
        : {}),
    },
    process.cwd(),
  );
}
