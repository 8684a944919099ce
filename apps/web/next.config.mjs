import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** @type {import('next').NextConfig} */
const nextConfig = {
  output: 'export',
  reactStrictMode: true,
  images: { unoptimized: true },
  // Types are checked by `npm run typecheck` (tsc -p apps/web/tsconfig.json, tests included); the build
  // only bundles, so a type error in a test never blocks the UI build.
  typescript: { ignoreBuildErrors: true },
  turbopack: { root: join(here, '..', '..') },
};

export default nextConfig;
