// Bundles the CLI into one file (dist/tranche.mjs): resolving kysely's and commander's hundreds of
// modules at each start cost ~0.2 s; one file loads in a few tens of ms (docs/ARCHITECTURE.md).
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/cli/main.js'],
  outfile: 'dist/tranche.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  sourcemap: true,
  // Native addon, and pino's worker-thread transports: loaded from node_modules as they are.
  external: ['better-sqlite3', 'pino'],
  // CommonJS dependencies inside an ES module bundle need a real require.
  banner: {
    js: "import { createRequire as __trancheRequire } from 'node:module'; const require = __trancheRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
