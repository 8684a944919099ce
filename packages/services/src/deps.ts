import type { PlaneManifest } from '@myspinbot/contracts';
import type { ArtifactStore } from '@myspinbot/storage';

/** What the entry point gives the services of a plane. */
export interface PlaneDeps {
  /** The manifest of the executor the service runs in. */
  manifest(): PlaneManifest;
  /** Where services read inputs and write artifacts (keys from job and node ids only). */
  store: ArtifactStore;
}
