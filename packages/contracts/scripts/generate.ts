/**
 * Generates src/types.generated.ts from schemas/*.schema.json.
 * `--check` regenerates in memory and exits 1 when the committed file is stale.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from 'json-schema-to-typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const schemaDir = join(root, 'schemas');
const target = join(root, 'src', 'types.generated.ts');

async function generate(): Promise<string> {
  const files = (await readdir(schemaDir)).filter((f) => f.endsWith('.schema.json')).sort();
  // One synthetic root that references every named definition, so each type is declared once.
  const refs: Record<string, { $ref: string }> = {};
  for (const file of files) {
    const schema = JSON.parse(await readFile(join(schemaDir, file), 'utf8')) as {
      title?: string;
      type?: unknown;
      $defs?: Record<string, unknown>;
    };
    if (schema.type !== undefined && schema.title) refs[schema.title] = { $ref: `${file}` };
    for (const name of Object.keys(schema.$defs ?? {})) refs[name] = { $ref: `${file}#/$defs/${name}` };
  }
  const bundle = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'ContractsBundle',
    type: 'object',
    additionalProperties: false,
    properties: refs,
  };
  const ts = await compile(bundle as never, 'ContractsBundle', {
    cwd: schemaDir,
    bannerComment:
      '/* Generated from packages/contracts/schemas by `npm run gen`. Do not edit: change the schema and regenerate. */',
    additionalProperties: false,
    unreachableDefinitions: false,
    ignoreMinAndMaxItems: true,
    strictIndexSignatures: true,
    format: true,
    style: { singleQuote: true, printWidth: 110, trailingComma: 'all' },
  });
  // The bundle type itself is an artefact of generation, not a contract.
  return ts.replace(/export interface ContractsBundle \{[\s\S]*?\n\}\n/, '');
}

const out = await generate();
if (process.argv.includes('--check')) {
  const current = await readFile(target, 'utf8').catch(() => '');
  if (current !== out) {
    console.error(`${target} is stale: run \`npm run gen\` and commit the result.`);
    process.exit(1);
  }
  console.log('generated contracts are up to date');
} else {
  await writeFile(target, out);
  console.log(`wrote ${target}`);
}
