// Where tranche's CPU goes in a copy: runs `node --cpu-prof bin/tranche.js sync` on one of the
// benchmark's mailbox shapes (Dovecot to Dovecot on loopback, as scripts/bench.mjs does) and prints
// the self time per function and per file (node: internals, node_modules packages, tranche's own
// files). Usage: npm run build && node scripts/profile-sync.mjs [even|dominant|small] [--keep DIR]
//          [--literals plus|sync] [--node-option=--trace-gc ...] [--output]
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startDovecot } from '../dist/testing/dovecot.js';
import { dominantCorpus, evenCorpus, loadFast, smallCorpus } from './bench-corpus.mjs';
import { timed } from './bench-lib.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    keep: { type: 'string' },
    literals: { type: 'string', default: 'plus' },
    'node-option': { type: 'string', multiple: true, default: [] },
    output: { type: 'boolean', default: false },
  },
});
const shapes = { even: evenCorpus, dominant: dominantCorpus, small: smallCorpus };
const shape = positionals[0] ?? 'even';
if (!shapes[shape]) throw new Error(`unknown shape ${shape}: ${Object.keys(shapes).join(', ')}`);
const dir = values.keep ?? mkdtempSync(join(tmpdir(), 'tranche-prof-'));

/** Self time per key of the profile's nodes, in ms, biggest first. */
function selfTimes(profile, keyOf) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const ticks = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    ticks.set(id, (ticks.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const sums = new Map();
  for (const [id, us] of ticks) {
    const key = keyOf(byId.get(id).callFrame);
    sums.set(key, (sums.get(key) ?? 0) + us / 1000);
  }
  return [...sums].sort((a, b) => b[1] - a[1]);
}

function fileOf({ url, functionName }) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const m = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (m) return `npm:${m[1]}`;
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\/.*?\/(dist|bin)\//, '$1/');
}

const source = await startDovecot();
const target = await startDovecot({ literals: values.literals });
try {
  const user = await source.addUser();
  const corpus = shapes[shape]();
  await loadFast(source, user, corpus);
  const to = await target.addUser();
  const r = await timed(
    process.execPath,
    [
      `--cpu-prof`,
      `--cpu-prof-dir=${dir}`,
      ...values['node-option'],
      'bin/tranche.js',
      'sync',
      '--source',
      source.url,
      '--source-user',
      user.user,
      '--target',
      target.url,
      '--target-user',
      to.user,
      '--allow-plaintext',
      '--state',
      join(dir, 'state.sqlite'),
    ],
    { TRANCHE_SOURCE_PASSWORD: user.password, TRANCHE_TARGET_PASSWORD: to.password },
  );
  if (values.output) console.log(r.output);
  const bytes = corpus.reduce((n, m) => n + m.raw.length, 0);
  console.log(
    `${shape}: ${corpus.length} messages, ${(bytes / 1e6).toFixed(1)} MB; wall ${r.seconds.toFixed(2)} s, CPU ${r.cpuSeconds.toFixed(2)} s, peak ${r.peakMb.toFixed(0)} MB`,
  );
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const total = (profile.endTime - profile.startTime) / 1000;
  const show = (title, rows, n) => {
    console.log(`\n${title}`);
    for (const [k, ms] of rows.slice(0, n)) console.log(`${ms.toFixed(0).padStart(7)} ms  ${k}`);
  };
  const busy = selfTimes(profile, fileOf).filter(([k]) => k !== '(idle)');
  console.log(
    `profile ${total.toFixed(0)} ms, busy ${busy.reduce((n, [, ms]) => n + ms, 0).toFixed(0)} ms (main thread)`,
  );
  show('self time per file', busy, 25);
  show(
    'self time per function',
    selfTimes(profile, (f) => `${f.functionName || '(anonymous)'} ${fileOf(f)}:${f.lineNumber + 1}`).filter(
      ([k]) => !k.startsWith('(idle)'),
    ),
    40,
  );
  console.log(`\nprofile: ${join(dir, file)}`);
} finally {
  await Promise.all([source.stop(), target.stop()]);
}
