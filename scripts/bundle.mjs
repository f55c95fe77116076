// Bundles the CLI into one file (dist/tranche.mjs): resolving kysely's and commander's hundreds of
// modules at each start cost ~0.2 s; one file loads in a few tens of ms (docs/ARCHITECTURE.md).
import { createRequire } from 'node:module';
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
  plugins: [nodemailerCommonJs],
  logLevel: 'warning',
});
