import type { PlaneManifest } from '@myspinbot/contracts';

/** What the entry point gives the services of a plane. */
export interface PlaneDeps {
  /** The manifest of the executor the service runs in. */
  manifest(): PlaneManifest;
}
