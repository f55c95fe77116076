// Runs every compiled test file (dist/**/*.test.js) with node's test runner, the spec reporter on
// the terminal, and closes with the plain line "N passed, N failed" that CI reads.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return findTests(p);
    return e.name.endsWith('.test.js') ? [p] : [];
  });
}

const filter = process.argv.slice(2);
const files = findTests('dist').filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const tap = join(mkdtempSync(join(tmpdir(), 'tranche-tests-')), 'results.tap');
const concurrency = process.env.TRANCHE_TEST_CONCURRENCY ?? '2';
const child = spawn(
  process.execPath,
  [
    '--enable-source-maps',
    '--test',
    `--test-concurrency=${concurrency}`,
    // A hung test fails after 10 minutes instead of holding CI until its own limit.
    '--test-timeout=600000',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...files,
  ],
  { stdio: 'inherit' },
);
child.on('exit', (code) => {
  const text = readFileSync(tap, 'utf8');
  const count = (name) => Number([...text.matchAll(new RegExp(`^# ${name} (\\d+)$`, 'gm'))].at(-1)?.[1] ?? 0);
  const passed = count('pass');
  const failed = count('fail');
  const skipped = count('skipped');
  console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(code === 0 && failed === 0 && passed > 0 ? 0 : 1);
});
