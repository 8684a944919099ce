/**
 * The UI's wire types (lib/types.ts) are written by hand so the browser bundle depends on nothing of the
 * server's; this file keeps them equal to the contract: at compile time (tsc -p apps/web/tsconfig.json)
 * against the generated types, and at run time against the enums of the JSON Schemas.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type * as Contract from '../../../packages/contracts/src/types.generated';
import type * as Ui from '../lib/types';
import { JOB_STATUSES, NODE_STATUSES } from '../lib/types';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Check<T extends true> = T;

export type WireTypesMatch = [
  Check<Same<Ui.JobStatus, Contract.JobStatus>>,
  Check<Same<Ui.NodeStatus, Contract.NodeStatus>>,
  Check<Same<Ui.Plane, Contract.Plane>>,
  Check<Same<Ui.NodeError, Contract.NodeError>>,
  Check<Same<Ui.JobFailure, Contract.JobFailure>>,
  Check<Same<Ui.NodeState, Contract.NodeState>>,
  Check<Same<Omit<Ui.JobState, 'queuePosition'>, Contract.JobState>>,
  Check<Same<Ui.ArtifactRef, Contract.ArtifactRef>>,
  Check<Same<Ui.CombinedManifest, Contract.CombinedManifest>>,
  Check<Same<Ui.TrainOptions, Contract.TrainOptions>>,
  Check<Same<Ui.TrainAccepted, Contract.TrainAccepted>>,
  Check<Same<Ui.ApiLimits, Contract.ApiLimits>>,
  Check<Same<Ui.ArtifactToken, Contract.ArtifactToken>>,
];

const SCHEMAS = join(import.meta.dirname, '..', '..', '..', 'packages', 'contracts', 'schemas');
const defs = (file: string) =>
  (JSON.parse(readFileSync(join(SCHEMAS, file), 'utf8')) as { $defs: Record<string, { enum?: string[] }> })
    .$defs;

describe('wire types', () => {
  it('list the same job and node statuses as the schemas', () => {
    expect([...JOB_STATUSES]).toEqual(defs('job.schema.json').JobStatus?.enum);
    expect([...NODE_STATUSES]).toEqual(defs('graph.schema.json').NodeStatus?.enum);
  });
});
