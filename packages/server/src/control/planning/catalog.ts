/**
 * The pipeline catalog (config/pipelines.json, schema pipelines.schema.json): loaded and validated once at
 * start-up; every template must itself be a valid DAG, so a broken catalog stops start-up, not a request.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '@myspinbot/config';
import {
  createAjv,
  formatAjvErrors,
  type PipelineCatalog,
  type PipelineTemplate,
} from '@myspinbot/contracts';
import { validateGraph } from '@myspinbot/workflow';

/** config/pipelines.json at the repository root (five levels up from this folder). */
export const DEFAULT_CATALOG_FILE = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  '..',
  '..',
  'config',
  'pipelines.json',
);

const validateCatalog = createAjv().getSchema<PipelineCatalog>(
  'https://myspinbot.dev/schemas/pipelines.schema.json',
);

export class PipelineCatalogStore {
  constructor(readonly catalog: PipelineCatalog) {}

  static load(file = DEFAULT_CATALOG_FILE): PipelineCatalogStore {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new ConfigError(`cannot read the pipeline catalog ${file}: ${(error as Error).message}`);
    }
    if (!validateCatalog?.(parsed)) {
      throw new ConfigError(
        `invalid pipeline catalog ${file}: ${formatAjvErrors(validateCatalog?.errors).join('; ')}`,
      );
    }
    const catalog = parsed as PipelineCatalog;
    if (!catalog.pipelines[catalog.default]) {
      throw new ConfigError(
        `invalid pipeline catalog ${file}: default pipeline '${catalog.default}' is not defined`,
      );
    }
    for (const [name, template] of Object.entries(catalog.pipelines)) {
      if (!template) continue;
      const [first, ...rest] = template.nodes.map((n) => ({ ...n, status: 'pending' as const }));
      if (!first) continue;
      const problems = validateGraph({
        schema: 'langgraph.v1',
        workflowId: 'catalog',
        nodes: [first, ...rest],
        edges: template.edges,
      });
      if (problems.length > 0) {
        throw new ConfigError(
          `invalid pipeline '${name}' in ${file}: ${problems.map((p) => p.message).join('; ')}`,
        );
      }
    }
    return new PipelineCatalogStore(catalog);
  }

  get defaultName(): string {
    return this.catalog.default;
  }

  get(name: string): PipelineTemplate | undefined {
    return Object.hasOwn(this.catalog.pipelines, name) ? this.catalog.pipelines[name] : undefined;
  }

  private templates(): [string, PipelineTemplate][] {
    return Object.entries(this.catalog.pipelines).flatMap(([name, t]) =>
      t ? [[name, t] as [string, PipelineTemplate]] : [],
    );
  }

  /** Pipelines users may submit, with what they need. */
  publicPipelines(): { name: string; description: string; inputs: string[]; services: string[] }[] {
    return this.templates()
      .filter(([, t]) => t.public !== false)
      .map(([name, t]) => ({
        name,
        description: t.description,
        inputs: t.inputs ?? [],
        services: [...new Set(t.nodes.map((n) => `${n.plane}/${n.service}`))].sort(),
      }));
  }
}
