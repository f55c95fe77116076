// Bundles the CLI (dist/bundle/tranche.mjs): resolving kysely's and commander's hundreds of modules
// at each start cost ~0.2 s; a bundle loads in a few tens of ms (docs/ARCHITECTURE.md). Split per
// command (src/cli/command-table.ts imports each lazily): one 6.7 MB file took ~0.1 s to compile and
// ~90 MB to hold at every start, whatever the command.
import { createRequire, isBuiltin } from 'node:module';
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

// Node's ES facade of a built-in module reads each of its exports, lazy ones included: `import ... from
// 'node:fs'`, 'node:util' or 'node:process' loaded worker_threads, the diagnostic report, readline
// and more, ~2 MB of every start's RSS (docs/ARCHITECTURE.md, "Start-up"). Each built-in is taken
// with require() instead, which reads an export only when the code uses it.
const builtinsByRequire = {
  name: 'builtins-by-require',
  setup(b) {
    b.onResolve({ filter: /^[a-z0-9_:/]+$/ }, (args) => {
      if (!isBuiltin(args.path)) return undefined;
      if (/^(node:)?child_process$/.test(args.path) && /[/\\]commander[/\\]/.test(args.importer))
        return { path: args.path, namespace: 'builtin-at-first-use' };
      // import('node:tls') stays as it is: its namespace's named exports are what the code reads.
      if (args.namespace === 'builtin' || args.kind === 'dynamic-import')
        return { path: args.path, external: true };
      return { path: args.path, namespace: 'builtin' };
    });
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      // An ES import of a CommonJS module copies its properties' descriptors (esbuild's __toESM),
      // and reading node:util's descriptors loads its lazy parts all the same (~2.5 MB): util is
      // given as an object inheriting from it, with nothing of its own to copy.
      contents: /^(node:)?util$/.test(args.path)
        ? `module.exports = Object.create(require(${JSON.stringify(args.path)}));`
        : `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
    // Commander takes node:child_process as it starts, for subcommands run as separate executables,
    // which tranche has none of: given to it as an object that loads the module when first used
    // (loading it at every start cost ~1 MB of RSS: `tranche --help` 52.3 → 51.3 MB). Commander
    // reads it through its default import only, so the object need list no exports of its own.
    b.onLoad({ filter: /.*/, namespace: 'builtin-at-first-use' }, (args) => ({
      contents: `let loaded;
module.exports = new Proxy({}, { get: (_, key) => (loaded ??= require(${JSON.stringify(args.path)}))[key] });`,
      loader: 'js',
    }));
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
  plugins: [nodemailerCommonJs, builtinsByRequire],
  logLevel: 'warning',
});
