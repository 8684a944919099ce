/** Keeps docs/ true: every configuration variable and every error code is documented. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENV_OVERRIDES } from '@myspinbot/config';
import { ERROR_CODES } from '@myspinbot/contracts';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/processes.js';

const doc = (name: string) => readFileSync(join(ROOT, 'docs', name), 'utf8');

describe('docs', () => {
  it('operations.md lists every environment variable', () => {
    const text = doc('operations.md');
    for (const { env, path } of ENV_OVERRIDES) expect(text, env).toContain(`| \`${env}\` | \`${path}\` |`);
  });

  it('errors.md lists every error code with its HTTP status', () => {
    const text = doc('errors.md');
    for (const [code, spec] of Object.entries(ERROR_CODES))
      expect(text, code).toContain(`| \`${code}\` | ${spec.httpStatus} |`);
  });
});
