// Where tranche's CPU goes in a copy: runs `node --cpu-prof bin/tranche.js sync` on one of the
// benchmark's mailbox shapes (Dovecot to Dovecot on loopback, as scripts/bench.mjs does) and prints
// the self time per function and per file (node: internals, node_modules packages, tranche's own
// files). Usage: npm run build && node scripts/profile-sync.mjs [even|dominant|small|big] [--keep DIR]
//          [--literals plus|sync] [--node-option=--trace-gc ...] [--output]
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startDovecot } from '../dist/testing/dovecot.js';
import { bigFolderCorpus, dominantCorpus, evenCorpus, loadFast, smallCorpus } from './bench-corpus.mjs';
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
// big: one folder of TRANCHE_BENCH_BIG messages (default 20,000).
const shapes = {
  even: evenCorpus,
  dominant: dominantCorpus,
  small: smallCorpus,
  big: () => bigFolderCorpus(Number(process.env.TRANCHE_BENCH_BIG ?? 20_000)),
};
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

const maps = new Map();
/** The source file a bundled function came from (through the bundle's source map), or the url. */
function originalOf({ url, lineNumber, columnNumber }) {
  if (!url.startsWith('file:') || !url.includes('/dist/bundle/')) return url;
  if (!maps.has(url)) {
    const file = `${fileURLToPath(url)}.map`;
    maps.set(url, existsSync(file) ? new SourceMap(JSON.parse(readFileSync(file, 'utf8'))) : null);
  }
  const entry = maps.get(url)?.findEntry(lineNumber, columnNumber);
  return entry?.originalSource ?? url;
}

/** The line a bundled function starts on in its source file (1-based). */
function originalLine(frame) {
  const entry = maps.get(frame.url)?.findEntry(frame.lineNumber, frame.columnNumber);
  return (entry?.originalLine ?? frame.lineNumber) + 1;
}

/** A function's file, shortened: a package name, a node: module, or tranche's src/part/file. */
function fileOf(frame) {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const original = originalOf(frame);
  const m = original.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (m) return `npm:${m[1]}`;
  if (original.startsWith('node:')) return original;
  return original.replace(/^.*?\/(src|dist|bin)\//, '$1/');
}

/** What a file is for, in the note's terms. */
function categoryOf(file, functionName) {
  if (file === '(garbage collector)') return 'garbage collection';
  if (
    file === '(native)' &&
    /^(writev|writeUtf8String|writeBuffer|writeLatin1String|read)$/.test(functionName)
  )
    return 'socket reads and writes (system calls)';
  if (file === 'npm:better-sqlite3' || file === 'npm:kysely' || file.startsWith('src/state/'))
    return 'state store (SQLite, Kysely)';
  if (file.startsWith('src/mailstore/')) return 'IMAP protocol (src/mailstore)';
  if (file.startsWith('src/copy/')) return 'copy engine (src/copy)';
  if (/^node:internal\/(modules|bootstrap)|compile/.test(file) || functionName.startsWith('compile'))
    return 'start-up: loading and compiling modules';
  if (
    /^node:(net|internal\/(stream|streams|stream_base_commons|fixed_queue|process\/task_queues|timers))/.test(
      file,
    )
  )
    return 'Node streams, sockets and the event loop';
  if (file === '(program)') return '(program): V8 and Node native work outside JS';
  return `other: ${file}`;
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
    'self time per category',
    selfTimes(profile, (f) => categoryOf(fileOf(f), f.functionName)).filter(([k]) => k !== 'other: (idle)'),
    14,
  );
  show(
    'self time per function',
    selfTimes(profile, (f) => `${f.functionName || '(anonymous)'} ${fileOf(f)}:${originalLine(f)}`).filter(
      ([k]) => !k.startsWith('(idle)'),
    ),
    Number(process.env.PROFILE_TOP ?? 40),
  );
  console.log(`\nprofile: ${join(dir, file)}`);
} finally {
  await Promise.all([source.stop(), target.stop()]);
}
