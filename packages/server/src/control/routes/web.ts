import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/**
 * Serves the built web UI (a static export) at / on the API's own origin, so one URL gives the UI and the
 * API. Routes registered by the API (/api, /ws, the probes) take precedence over files.
 */
export async function webRoutes(app: FastifyInstance, options: { dir: string }): Promise<boolean> {
  if (options.dir.trim() === '') return false;
  const root = resolve(options.dir);
  if (!existsSync(join(root, 'index.html'))) return false;
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    index: ['index.html'],
    wildcard: true,
    cacheControl: true,
    maxAge: '1h',
  });
  return true;
}
