// `npm run bench` (copy speed): tranche against mbsync (Debian's isync) on the same data in the same
// run, medians of TRANCHE_BENCH_RUNS (default 5) runs, for the mailbox shapes of issue 18 — evenly
// filled, one dominant folder, one folder of 60,000 messages (first copy and a delta pass), into a
// target without LITERAL+ — on loopback and through proxies adding 20 ms and 80 ms of round trip;
// CPU seconds, peak RSS, start-up and no-op passes too. Prints ratios (the machine is shared) and
// writes the tables to docs/benchmarks.md. TRANCHE_BENCH_BIG (default 60000) sizes the big folder,
// TRANCHE_BENCH_BIG_RUNS (default 5) its first-copy runs. TRANCHE_BENCH_ONLY=delta runs only the
// big folder's loopback first copy and its delta passes, prints the rows and leaves the docs alone
// (TRANCHE_BENCH_SOURCE_CONDSTORE=no: from a source without CONDSTORE, the fallback path;
// TRANCHE_BENCH_BIN: another build's bin/tranche.js, for a before and after).
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDovecot } from '../dist/testing/dovecot.js';
import { startTcpProxy } from '../dist/testing/tcp-proxy.js';
import {
  bigFolderCorpus,
  changeInbox,
  dominantCorpus,
  evenCorpus,
  loadFast,
  smallCorpus,
} from './bench-corpus.mjs';
import { mbsync, median, settle, timed, writeSection } from './bench-lib.mjs';
import { noopBench, startupBench } from './bench-noop.mjs';

const RUNS = Number(process.env.TRANCHE_BENCH_RUNS ?? 5);
const BIG = Number(process.env.TRANCHE_BENCH_BIG ?? 60_000);
const BIG_RUNS = Number(process.env.TRANCHE_BENCH_BIG_RUNS ?? 5);
const ONLY = process.env.TRANCHE_BENCH_ONLY ?? '';
// Another build of tranche to measure (e.g. the main checkout's bin/tranche.js, for before and after).
const BIN = process.env.TRANCHE_BENCH_BIN ?? 'bin/tranche.js';
const SOURCE_CONDSTORE = process.env.TRANCHE_BENCH_SOURCE_CONDSTORE !== 'no';
const work = mkdtempSync(join(tmpdir(), 'tranche-bench-'));
const mb = (bytes) => (bytes / 1e6).toFixed(1);
const log = (text) => process.stderr.write(`${text}\n`);
const benchStarted = Date.now();

function trancheRun(src, srcUser, tgt, tgtUser, extra = []) {
  const args = [
    BIN,
    'sync',
    '--source',
    src.url,
    '--source-user',
    srcUser.user,
    '--target',
    tgt.url,
    '--target-user',
    tgtUser.user,
    '--allow-plaintext',
    '--state',
    join(work, `state-${tgtUser.user}.sqlite`),
    ...extra,
  ];
  return timed(process.execPath, args, {
    TRANCHE_SOURCE_PASSWORD: srcUser.password,
    TRANCHE_TARGET_PASSWORD: tgtUser.password,
  });
}

/** The median of each figure of some runs. */
function medians(results) {
  return {
    runs: results.length,
    seconds: median(results.map((r) => r.seconds)),
    cpuSeconds: median(results.map((r) => r.cpuSeconds)),
    userSeconds: median(results.map((r) => r.userSeconds)),
    systemSeconds: median(results.map((r) => r.systemSeconds)),
    peakMb: median(results.map((r) => r.peakMb)),
  };
}

/**
 * Runs each of `runs` (label → run) n times, taking turns (a, b, a, b, …), so that a change in the
 * shared machine's load falls on both sides of a ratio alike, each after settle(); each label's
 * results in run order.
 */
async function alternating(n, runs) {
  const results = Object.fromEntries(Object.keys(runs).map((label) => [label, []]));
  for (let i = 0; i < n; i++) {
    for (const [label, run] of Object.entries(runs)) {
      settle();
      const r = await run(i);
      results[label].push(r);
      log(
        `  ${label} run ${i + 1}: ${r.seconds.toFixed(2)} s, CPU ${r.cpuSeconds.toFixed(2)} s, peak ${r.peakMb.toFixed(0)} MB`,
      );
    }
  }
  return results;
}

/**
 * tranche's figures as ratios to mbsync's, each run against the mbsync run beside it, then the
 * median: the two of a pair run one after the other, so a slow spell of the shared machine falls on
 * both. (A ratio of the two medians can pair one side's fast runs with the other's slow ones: one
 * run here had mbsync's five copies at 1.1–1.3 s and 2.1–2.4 s, and its median fell among the slow.)
 */
function pairedRatios(tranche, mbsync) {
  const each = (key) => {
    // GNU time counts CPU in hundredths: a pair whose mbsync side shows 0.00 has no ratio.
    const ratios = tranche.flatMap((t, i) => (mbsync[i][key] > 0 ? [t[key] / mbsync[i][key]] : []));
    return ratios.length > 0 ? median(ratios) : Number.NaN;
  };
  return { seconds: each('seconds'), cpuSeconds: each('cpuSeconds') };
}

/** A source through a proxy adding `rttMs` of round trip (half each way), or the server itself. */
async function via(server, rttMs) {
  if (rttMs === 0) return { url: server.url, port: server.port, close: async () => undefined };
  const proxy = await startTcpProxy('127.0.0.1', server.port, rttMs / 2);
  return proxy;
}

const rows = [];
/**
 * First copies of one mailbox shape, tranche and mbsync alternating, into fresh target users; returns
 * the last target users of each (their state kept, for delta passes).
 */
async function copyRows(shape, source, user, bytes, messages, target, rtts, runs) {
  const last = {};
  for (const rtt of rtts) {
    const src = await via(source, rtt);
    const tgt = await via(target, rtt);
    log(`${shape}, ${rtt ? `${rtt} ms round trip` : 'loopback'}`);
    try {
      const each = await alternating(runs, {
        tranche: async () => {
          last.tranche = await target.addUser();
          return trancheRun(src, user, tgt, last.tranche);
        },
        mbsync: async () => {
          last.mbsync = await target.addUser();
          return mbsync(work, src, user, tgt, last.mbsync, `mbsync-${last.mbsync.user}`);
        },
      });
      rows.push({
        shape,
        rtt,
        messages,
        bytes,
        tranche: medians(each.tranche),
        mbsync: medians(each.mbsync),
        ratios: pairedRatios(each.tranche, each.mbsync),
      });
    } finally {
      await Promise.all([src.close(), tgt.close()]);
    }
  }
  return last;
}

const source = await startDovecot({ condstore: SOURCE_CONDSTORE });
const target = await startDovecot();
const syncTarget = await startDovecot({ literals: 'sync' });
const courierLike = await startDovecot({ literals: 'sync', multiappend: false });
const deltaRows = [];
let startup;
let noop;
try {
  const shapes = ONLY
    ? []
    : [
        ['evenly filled (15 folders)', evenCorpus()],
        ['one dominant folder (10 folders)', dominantCorpus()],
      ];
  for (const [shape, corpus] of shapes) {
    const user = await source.addUser();
    const bytes = corpus.reduce((n, m) => n + m.raw.length, 0);
    log(`loading ${shape}: ${corpus.length} messages, ${mb(bytes)} MB`);
    await loadFast(source, user, corpus);
    await copyRows(shape, source, user, bytes, corpus.length, target, [0, 20, 80], RUNS);
  }

  if (!ONLY) await literalRows();
  await bigRows();
  if (!ONLY) {
    startup = await startupBench(RUNS * 2);
    noop = await noopBench(source, target, RUNS, work);
  }
} finally {
  await Promise.all([source.stop(), target.stop(), syncTarget.stop(), courierLike.stop()]);
  rmSync(work, { recursive: true, force: true });
}

/** Into targets without LITERAL+: with MULTIAPPEND, and without (as Courier). */
async function literalRows() {
  const small = smallCorpus();
  const smallUser = await source.addUser();
  const smallBytes = small.reduce((n, m) => n + m.raw.length, 0);
  await loadFast(source, smallUser, small);
  await copyRows(
    'into a target without LITERAL+ (MULTIAPPEND offered)',
    source,
    smallUser,
    smallBytes,
    small.length,
    syncTarget,
    [0, 20],
    RUNS,
  );
  await copyRows(
    'into a target without LITERAL+ or MULTIAPPEND (as Courier)',
    source,
    smallUser,
    smallBytes,
    small.length,
    courierLike,
    [0, 20],
    RUNS,
  );
}

/** One folder of BIG messages: first copies, then delta passes against mbsync's. */
async function bigRows() {
  // One folder of BIG messages: first copy, then delta passes (10 new, 100 flags changed each time).
  const big = bigFolderCorpus(BIG);
  const bigBytes = big.reduce((n, m) => n + m.raw.length, 0);
  const bigUser = await source.addUser();
  log(`loading one folder of ${BIG} messages, ${mb(bigBytes)} MB`);
  await loadFast(source, bigUser, big);
  // The 20 ms run first: the loopback run's target users stay for the delta passes (over loopback).
  if (!ONLY)
    await copyRows(`one folder of ${BIG} messages`, source, bigUser, bigBytes, BIG, target, [20], BIG_RUNS);
  const base = await copyRows(
    `one folder of ${BIG} messages`,
    source,
    bigUser,
    bigBytes,
    BIG,
    target,
    [0],
    BIG_RUNS,
  );
  const tUser = base.tranche;
  const mUser = base.mbsync;
  log(`delta passes over ${BIG} messages`);
  const deltas = { tranche: [], mbsync: [] };
  for (let i = 0; i < RUNS; i++) {
    await changeInbox(source, bigUser, { add: 10, flip: 100, seed: i + 1 });
    settle();
    deltas.tranche.push(await trancheRun(source, bigUser, target, tUser));
    settle();
    deltas.mbsync.push(await mbsync(work, source, bigUser, target, mUser, `mbsync-${mUser.user}`));
    log(
      `  delta ${i + 1}: tranche ${deltas.tranche.at(-1).seconds.toFixed(2)} s CPU ${deltas.tranche.at(-1).cpuSeconds.toFixed(2)} s ${deltas.tranche.at(-1).peakMb.toFixed(0)} MB; mbsync ${deltas.mbsync.at(-1).seconds.toFixed(2)} s CPU ${deltas.mbsync.at(-1).cpuSeconds.toFixed(2)} s ${deltas.mbsync.at(-1).peakMb.toFixed(0)} MB (load ${loadavg()[0].toFixed(2)})`,
    );
  }
  deltaRows.push({
    tranche: medians(deltas.tranche),
    mbsync: medians(deltas.mbsync),
    ratios: pairedRatios(deltas.tranche, deltas.mbsync),
  });
}

/** Issue 18's goals, each with this run's figure and whether it was met. */
function goals() {
  const out = ["Issue 18's goals against this run:", '', '| goal | figure | met |', '| --- | --- | --- |'];
  const add = (goal, figure, met) => out.push(`| ${goal} | ${figure} | ${met ? 'yes' : '**no**'} |`);
  for (const r of rows.filter((r) => r.rtt === 0 && !r.shape.startsWith('into'))) {
    const cpu = r.ratios.cpuSeconds;
    add(`CPU per GB ≤ 1.5× mbsync: ${r.shape}`, `${cpu.toFixed(2)}×`, cpu <= 1.5);
  }
  for (const r of rows) {
    const over = r.tranche.peakMb - r.mbsync.peakMb;
    add(
      `peak RSS ≤ mbsync + 64 MB: ${r.shape}, ${rttName(r.rtt)}`,
      `${over >= 0 ? '+' : ''}${over.toFixed(0)} MB`,
      over <= 64,
    );
  }
  for (const d of deltaRows)
    add(
      `delta pass over ${BIG} messages under 64 MB`,
      `${d.tranche.peakMb.toFixed(0)} MB`,
      d.tranche.peakMb < 64,
    );
  for (const r of rows) {
    const into = r.shape.startsWith('into');
    const limit = into ? (r.rtt === 0 ? 1.0 : 0.5) : r.rtt === 0 ? 0.8 : 0.5;
    const wall = r.ratios.seconds;
    add(`wall ≤ ${limit}× mbsync: ${r.shape}, ${rttName(r.rtt)}`, `${wall.toFixed(2)}×`, wall <= limit);
  }
  const installed = startup.figures[0];
  add(
    '`tranche --help` ≤ 150 ms through the installed command',
    `${installed.ms.toFixed(0)} ms`,
    installed.ms <= 150,
  );
  add(
    'a pass with nothing to do, ten folders, inside a long-running process: ≤ 50 ms of work',
    `${noop.insideCpuMs.toFixed(0)} ms CPU`,
    noop.insideCpuMs <= 50,
  );
  add('no-op delta rate (reported)', `${noop.perCore.toFixed(0)} mailboxes/s per core`, true);
  return out;
}
const rttName = (rtt) => (rtt ? `${rtt} ms round trip` : 'loopback');
/** The CPU's medians split: user and system seconds, tranche's then mbsync's. */
const cpuSplit = (t, m) =>
  `${t.userSeconds.toFixed(2)} + ${t.systemSeconds.toFixed(2)} / ${m.userSeconds.toFixed(2)} + ${m.systemSeconds.toFixed(2)}`;
const table = [
  `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; Dovecot 2.3 to Dovecot 2.3 on this machine; mbsync ${'1.4'} (Debian isync); medians of ${RUNS} runs (the ${BIG}-message first copy: ${BIG_RUNS}); load average at the end ${loadavg()[0].toFixed(2)}; the whole benchmark took ${((Date.now() - benchStarted) / 60000).toFixed(1)} min. Round trips are added by a proxy in front of both servers (half each way). tranche runs as \`node bin/tranche.js sync\` (default 4 connections), a fresh target user each run, tranche and mbsync taking turns run by run (so a change in the shared machine's load falls on both), the disk's dirty pages written out (\`sync\`) before each run; mbsync with \`Sync Pull\`, \`Create Near\`, \`CopyArrivalDate yes\`.`,
  '',
  '| mailbox | link | messages | MB | tranche | mbsync | **wall ratio** | CPU s tranche / mbsync | of it user + system s, tranche / mbsync | **CPU ratio** | peak RSS tranche / mbsync |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map(
    (r) =>
      `| ${r.shape} | ${rttName(r.rtt)} | ${r.messages} | ${mb(r.bytes)} | ${r.tranche.seconds.toFixed(2)} s | ${r.mbsync.seconds.toFixed(2)} s | **${r.ratios.seconds.toFixed(2)}** | ${r.tranche.cpuSeconds.toFixed(2)} / ${r.mbsync.cpuSeconds.toFixed(2)} | ${cpuSplit(r.tranche, r.mbsync)} | **${r.ratios.cpuSeconds.toFixed(2)}** | ${r.tranche.peakMb.toFixed(0)} / ${r.mbsync.peakMb.toFixed(0)} MB |`,
  ),
  ...deltaRows.map(
    (d) =>
      `| one folder of ${BIG}: delta pass (10 new, 100 flags changed) | loopback | ${BIG} | | ${d.tranche.seconds.toFixed(2)} s | ${d.mbsync.seconds.toFixed(2)} s | **${d.ratios.seconds.toFixed(2)}** | ${d.tranche.cpuSeconds.toFixed(2)} / ${d.mbsync.cpuSeconds.toFixed(2)} | ${cpuSplit(d.tranche, d.mbsync)} | **${d.ratios.cpuSeconds.toFixed(2)}** | **${d.tranche.peakMb.toFixed(0)}** / ${d.mbsync.peakMb.toFixed(0)} MB |`,
  ),
  ...(ONLY ? [] : ['', ...goals(), '', ...startup.lines, '', ...noop.lines]),
].join('\n');
console.log(`\n${table}`);
if (ONLY)
  console.log(
    `\nload average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}; docs/benchmarks.md left as it was`,
  );
else
  writeSection(
    'sync',
    `## Copy speed: tranche against mbsync\n\nWritten by scripts/bench.mjs (issue 18's shapes and goals). CPU is user + system seconds of the whole process (GNU time), start-up included, then each part on its own (system time is the kernel's, mostly the sockets' copies); CPU per GB is the CPU ratio, the bytes being the same for both. The ratios are the median of each tranche run's ratio to the mbsync run beside it (the two run one after the other, so a slow spell of the shared machine falls on both); the seconds, CPU and RSS columns are each side's medians.\n\n${table}`,
  );
