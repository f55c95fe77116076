// Bundles the CLI (dist/bundle/tranche.mjs): resolving kysely's and commander's hundreds of modules
// at each start cost ~0.2 s; a bundle loads in a few tens of ms (docs/ARCHITECTURE.md). Split per
// command (src/cli/command-table.ts imports each lazily): one 6.7 MB file took ~0.1 s to compile and
// ~90 MB to hold at every start, whatever the command.
import { createRequire } from 'node:module';
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);

// nodemailer's ES module build imports node:http as an ES module, and Node's ES facade of node:http
// reads every export, which loads undici (fetch) at each start: ~30-120 ms of a `tranche --help`.
// Its CommonJS build requires node:http instead, which loads nothing more.
const nodemailerCommonJs = {
  name: 'nodemailer-commonjs',
  setup(b) {
    b.onResolve({ filter: /^nodemailer$/ }, () => ({ path: require.resolve('nodemailer') }));
  },
};

rmSync('dist/bundle', { recursive: true, force: true });
rmSync('dist/tranche.mjs', { force: true });
rmSync('dist/tranche.mjs.map', { force: true });
await build({
  entryPoints: ['dist/cli/main.js'],
  outdir: 'dist/bundle',
  entryNames: 'tranche',
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  outExtension: { '.js': '.mjs' },
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
  plugins: [nodemailerCommonJs],
  logLevel: 'warning',
});
