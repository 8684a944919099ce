/**
 * The dependency rules of docs/architecture.md, checked on the workspace manifests and on the imports in
 * the sources: contracts and workflow depend on nothing of ours; engines never reach the bus, the runtime
 * or HTTP code; nothing imports an app; no package imports another package's files by deep path; only the
 * config package (and the CLI's env module) reads process.env.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/processes.js';

interface Workspace {
  name: string;
  dir: string;
  deps: string[];
  /** Subpaths the package exports ('./audio' -> 'audio'). */
  subpaths: string[];
}

function workspaces(): Workspace[] {
  return ['packages', 'apps'].flatMap((group) =>
    readdirSync(join(ROOT, group))
      .map((name) => join(ROOT, group, name))
      .filter((dir) => {
        try {
          return statSync(join(dir, 'package.json')).isFile();
        } catch {
          return false;
        }
      })
      .map((dir) => {
        const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
          name: string;
          dependencies?: Record<string, string>;
          exports?: Record<string, string>;
        };
        return {
          name: manifest.name,
          dir,
          subpaths: Object.keys(manifest.exports ?? {})
            .filter((k) => k.startsWith('./') && !k.includes('*'))
            .map((k) => k.slice(2)),
          deps: Object.keys(manifest.dependencies ?? {}).filter((d) => d.startsWith('@myspinbot/')),
        };
      }),
  );
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.tsx?$/.test(entry.name)) out.push(path);
  }
  return out;
}

const ALLOWED: Record<string, string[] | 'any-package'> = {
  '@myspinbot/contracts': [],
  '@myspinbot/workflow': ['@myspinbot/contracts'],
  '@myspinbot/engines': ['@myspinbot/contracts'],
  '@myspinbot/config': ['@myspinbot/contracts'],
  '@myspinbot/storage': ['@myspinbot/contracts'],
  '@myspinbot/history': ['@myspinbot/contracts'],
  '@myspinbot/bus': ['@myspinbot/contracts', '@myspinbot/workflow'],
  '@myspinbot/runtime': ['@myspinbot/contracts', '@myspinbot/workflow', '@myspinbot/bus'],
};

describe('architecture', () => {
  const all = workspaces();

  it('keeps the dependency direction between workspaces', () => {
    const apps = all.filter((w) => relative(ROOT, w.dir).startsWith('apps')).map((w) => w.name);
    for (const workspace of all) {
      for (const dep of workspace.deps)
        expect(apps, `${workspace.name} depends on the app ${dep}`).not.toContain(dep);
      const allowed = ALLOWED[workspace.name];
      if (Array.isArray(allowed)) {
        for (const dep of workspace.deps)
          expect(allowed, `${workspace.name} may not depend on ${dep}`).toContain(dep);
      }
    }
  });

  it('imports only declared workspaces, never by deep path into another package', () => {
    for (const workspace of all) {
      for (const file of [...sourceFiles(join(workspace.dir, 'src'))]) {
        const text = readFileSync(file, 'utf8');
        for (const match of text.matchAll(/from '(@myspinbot\/[^']+)'/g)) {
          const specifier = match[1] ?? '';
          const [scope, name, ...rest] = specifier.split('/');
          const pkg = `${scope}/${name}`;
          const where = `${relative(ROOT, file)} imports ${specifier}`;
          const target = all.find((w) => w.name === pkg);
          // A subpath is fine only when the package exports it (its public entry points).
          if (rest.length > 0)
            expect(target?.subpaths ?? [], `${where}: deep import`).toContain(rest.join('/'));
          if (pkg !== workspace.name)
            expect(workspace.deps, `${where}: undeclared dependency`).toContain(pkg);
        }
      }
    }
  });

  it('reads process.env only in the config package', () => {
    for (const workspace of all) {
      if (workspace.name === '@myspinbot/config') continue;
      for (const file of sourceFiles(join(workspace.dir, 'src'))) {
        // The CLI maps its one variable (MYSPINBOT_API_KEY) to option defaults, in this module only.
        if (relative(ROOT, file) === join('apps', 'cli', 'src', 'env.ts')) continue;
        expect(readFileSync(file, 'utf8'), `${relative(ROOT, file)} reads process.env`).not.toMatch(
          /process\.env/,
        );
      }
    }
  });
});
