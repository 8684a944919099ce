/**
 * Validators compiled once from the published JSON Schemas. Every message that crosses a process boundary
 * is checked with one of these on the way in.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { MySpinBotError } from './errors.js';
import type {
  ArtifactRef,
  BusConfig,
  CombinedManifest,
  JobEvent,
  JobState,
  PlaneManifest,
  StreamEntry,
  WorkflowGraph,
} from './types.generated.js';

export const SCHEMA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'schemas');
export const SCHEMA_BASE = 'https://myspinbot.dev/schemas/';

// ajv-formats is CommonJS; its default export arrives as the module object under NodeNext.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/** A configured Ajv instance holding every published schema; apps add their own schemas to it. */
export function createAjv(options: { useDefaults?: boolean; coerceTypes?: boolean } = {}): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
    useDefaults: options.useDefaults ?? false,
    coerceTypes: options.coerceTypes ?? false,
  });
  addFormats(ajv);
  for (const file of readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.schema.json'))) {
    ajv.addSchema(JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8')) as object);
  }
  return ajv;
}

const ajv = createAjv();

function compiled<T>(ref: string): ValidateFunction<T> {
  const fn = ajv.getSchema<T>(SCHEMA_BASE + ref);
  if (!fn) throw new Error(`schema ${ref} is not published`);
  return fn;
}

/** A validator that answers with a typed value or a readable list of problems. */
export interface Validator<T> {
  readonly schemaRef: string;
  is(value: unknown): value is T;
  /** Problems as "path: message" strings; empty when valid. */
  problems(value: unknown): string[];
  /** The value typed as T, or a MySpinBotError (SCHEMA_INVALID unless another code is given). */
  parse(value: unknown, code?: string): T;
}

export function formatAjvErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const path = e.instancePath === '' ? '(root)' : e.instancePath;
    const extra =
      e.keyword === 'additionalProperties'
        ? ` '${String((e.params as { additionalProperty?: unknown }).additionalProperty)}'`
        : e.keyword === 'enum'
          ? ` (${((e.params as { allowedValues?: unknown[] }).allowedValues ?? []).join(', ')})`
          : '';
    return `${path}: ${e.message ?? e.keyword}${extra}`;
  });
}

export function validatorFor<T>(
  ref: string,
  what: string,
  validate: ValidateFunction<T> = compiled<T>(ref),
): Validator<T> {
  return {
    schemaRef: ref,
    is: (value: unknown): value is T => validate(value),
    problems(value) {
      return validate(value) ? [] : formatAjvErrors(validate.errors);
    },
    parse(value, code = 'SCHEMA_INVALID') {
      if (validate(value)) return value;
      const problems = formatAjvErrors(validate.errors);
      throw new MySpinBotError(code, `invalid ${what}: ${problems.slice(0, 5).join('; ')}`, {
        details: { problems: problems.slice(0, 50) },
      });
    },
  };
}

export const graphValidator = validatorFor<WorkflowGraph>('graph.schema.json', 'workflow graph');
export const jobStateValidator = validatorFor<JobState>('job.schema.json#/$defs/JobState', 'job state');
export const jobEventValidator = validatorFor<JobEvent>('job.schema.json#/$defs/JobEvent', 'job event');
export const planeManifestValidator = validatorFor<PlaneManifest>(
  'capabilities.schema.json#/$defs/PlaneManifest',
  'plane manifest',
);
export const combinedManifestValidator = validatorFor<CombinedManifest>(
  'capabilities.schema.json#/$defs/CombinedManifest',
  'combined manifest',
);
export const busConfigValidator = validatorFor<BusConfig>('bus.schema.json#/$defs/BusConfig', 'bus config');
export const streamEntryValidator = validatorFor<StreamEntry>(
  'bus.schema.json#/$defs/StreamEntry',
  'stream entry',
);
export const artifactRefValidator = validatorFor<ArtifactRef>('artifact.schema.json', 'artifact reference');
