import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const launcher = fileURLToPath(new URL('../../bin/tranche.js', import.meta.url));
const bundle = fileURLToPath(new URL('../bundle/tranche.mjs', import.meta.url));

/** The built-in modules a `tranche` command has loaded when it exits. */
function builtinsLoadedBy(args: string[]): Set<string> {
  const atExit = `process.on('exit', () => process.stderr.write('\\nLOADED ' + process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)).join(' ')));`;
  const child = spawnSync(
    process.execPath,
    ['--import', `data:text/javascript,${encodeURIComponent(atExit)}`, launcher, ...args],
    { encoding: 'utf8' },
  );
  assert.equal(child.status, 0, child.stderr);
  const line = child.stderr.split('\n').find((l) => l.startsWith('LOADED '));
  assert.ok(line, child.stderr);
  return new Set(line.slice('LOADED '.length).split(' '));
}

// Each of these cost every start memory it never used (docs/ARCHITECTURE.md, "Start-up"): Node's
// ES facades of fs, util and process read lazy exports (worker_threads, the diagnostic report,
// readline, fs/promises), and commander took child_process for subcommands tranche does not have.
test('a command starts without the built-ins it does not use (scripts/bundle.mjs)', () => {
  assert.ok(existsSync(bundle), `${bundle} is missing: run npm run build`);
  const loaded = builtinsLoadedBy(['--help']);
  for (const unused of [
    'child_process',
    'worker_threads',
    'readline',
    'internal/fs/promises',
    'internal/process/report',
  ])
    assert.equal(loaded.has(unused), false, `${unused} loaded by tranche --help`);
  // The check itself sees what a start loads.
  assert.ok(loaded.has('net'), [...loaded].join(' '));
});
