/**
 * `--option key=value` (repeatable) -> TrainOptions. Each value is typed by the property's type in the
 * published schema (train.schema.json#/$defs/TrainOptions): integer and number keys take numbers, boolean keys
 * take true/false (yes/no, 1/0), string keys take the text as it is. The whole object is then checked against
 * the same schema the server uses, so an option the server would refuse is a usage error here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMA_DIR, type TrainOptions, validatorFor } from '@myspinbot/contracts';
import { usageError } from './exit-codes.js';

type PropertyType = 'integer' | 'number' | 'boolean' | 'string';

interface PropertySchema {
  type?: unknown;
  enum?: unknown;
}

/** The TrainOptions property names with their JSON types, read from the schema file. */
function optionTypes(): Map<string, PropertyType> {
  const schema = JSON.parse(readFileSync(join(SCHEMA_DIR, 'train.schema.json'), 'utf8')) as {
    $defs?: { TrainOptions?: { properties?: Record<string, PropertySchema> } };
  };
  const properties = schema.$defs?.TrainOptions?.properties ?? {};
  const out = new Map<string, PropertyType>();
  for (const [name, property] of Object.entries(properties)) {
    const type = property.type;
    if (type === 'integer' || type === 'number' || type === 'boolean' || type === 'string')
      out.set(name, type);
  }
  return out;
}

const trainOptionsValidator = validatorFor<TrainOptions>('train.schema.json#/$defs/TrainOptions', 'options');

const TRUE = new Set(['true', 'yes', 'on', '1']);
const FALSE = new Set(['false', 'no', 'off', '0']);

function typedValue(key: string, type: PropertyType, raw: string): unknown {
  switch (type) {
    case 'integer':
    case 'number': {
      const value = raw.trim() === '' ? Number.NaN : Number(raw);
      if (!Number.isFinite(value)) throw usageError(`--option ${key} takes a number, not '${raw}'`);
      return value;
    }
    case 'boolean': {
      const text = raw.trim().toLowerCase();
      if (TRUE.has(text)) return true;
      if (FALSE.has(text)) return false;
      throw usageError(`--option ${key} takes true or false, not '${raw}'`);
    }
    default:
      return raw;
  }
}

export function parseTrainOptions(pairs: readonly string[]): TrainOptions {
  const types = optionTypes();
  const options: Record<string, unknown> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw usageError(`--option takes key=value, not '${pair}'`);
    const key = pair.slice(0, equals).trim();
    const type = types.get(key);
    if (type === undefined)
      throw usageError(`unknown --option '${key}' (known: ${[...types.keys()].join(', ')})`);
    if (Object.hasOwn(options, key)) throw usageError(`--option ${key} was given twice`);
    options[key] = typedValue(key, type, pair.slice(equals + 1));
  }
  if (trainOptionsValidator.is(options)) return options;
  const problems = trainOptionsValidator.problems(options).map((p) => p.replace(/^\//, ''));
  throw usageError(`invalid --option: ${problems.slice(0, 3).join('; ')}`);
}

/** The option names, for --help. */
export function trainOptionNames(): string[] {
  return [...optionTypes().entries()].map(([name, type]) => `${name} (${type})`);
}
