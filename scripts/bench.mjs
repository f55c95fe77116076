// `npm run bench`: times tranche against mbsync (Debian's isync) on the same data in the same run,
// on loopback and through a proxy adding 20 ms of round trip, best of 3 each, with peak RSS; then
// the memory profile (one 50 MB message among 10,000 small ones) with a deep verify. Prints ratios,
// because this machine is shared and noisy, and writes the table to docs/benchmarks.md.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCorpus, loadCorpus } from '../dist/testing/corpus.js';
import { startDovecot } from '../dist/testing/dovecot.js';
import { startTcpProxy } from '../dist/testing/tcp-proxy.js';
import { mbsync, timed, writeSection } from './bench-lib.mjs';

const RUNS = Number(process.env.TRANCHE_BENCH_RUNS ?? 3);
const ONE_WAY_DELAY_MS = 10; // each direction: 20 ms added round trip
const work = mkdtempSync(join(tmpdir(), 'tranche-bench-'));
const mb = (bytes) => (bytes / 1e6).toFixed(1);

function trancheRun(src, srcUser, tgt, tgtUser, extra = []) {
  const args = [
    'bin/tranche.js',
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

const mbsyncRun = (src, srcUser, tgt, tgtUser) => mbsync(work, src, srcUser, tgt, tgtUser);

async function best(label, run) {
  const results = [];
  for (let i = 0; i < RUNS; i++) {
    results.push(await run());
    process.stderr.write(
      `  ${label} run ${i + 1}: ${results.at(-1).seconds.toFixed(2)} s, peak RSS ${results.at(-1).peakMb.toFixed(0)} MB\n`,
    );
  }
  return results.reduce((a, b) => (b.seconds < a.seconds ? b : a));
}

const rows = [];
const source = await startDovecot();
const target = await startDovecot();
try {
  // Profile 1: a 2,000-message mailbox of ~230 MB in 15 folders (sizes as in a real mailbox).
  const user = await source.addUser('bench');
  const corpus = generateCorpus({ seed: 4242, messages: 2000, bigAttachments: 50 });
  const bytes = corpus.reduce((n, m) => n + m.raw.length, 0);
  process.stderr.write(`loading ${corpus.length} messages, ${mb(bytes)} MB\n`);
  await loadCorpus(source, user, corpus);

  for (const profile of ['LAN (loopback)', '20 ms round trip']) {
    const wan = profile !== 'LAN (loopback)';
    const src = wan ? await startTcpProxy('127.0.0.1', source.port, ONE_WAY_DELAY_MS) : source;
    const tgt = wan ? await startTcpProxy('127.0.0.1', target.port, ONE_WAY_DELAY_MS) : target;
    process.stderr.write(`${profile}\n`);
    try {
      const t = await best('tranche', async () => trancheRun(src, user, tgt, await target.addUser()));
      const m = await best('mbsync', async () => mbsyncRun(src, user, tgt, await target.addUser()));
      rows.push({ profile, messages: corpus.length, bytes, tranche: t, mbsync: m });
    } finally {
      if (wan) await Promise.all([src.close(), tgt.close()]);
    }
  }

  // Profile 2: memory stays bounded by the in-flight window, not by the largest message.
  const big = await source.addUser('bigmail');
  const small = generateCorpus({
    seed: 77,
    messages: 10_000,
    folders: ['INBOX', 'Archive'],
    bigAttachments: 0,
  });
  const attachment = Buffer.alloc(37 * 1024 * 1024, 7)
    .toString('base64')
    .replace(/.{76}/g, '$&\r\n');
  const fifty = Buffer.from(
    'From: big@example.org\r\nTo: bigmail@example.org\r\nSubject: 50 MB\r\nMIME-Version: 1.0\r\n' +
      'Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
      attachment +
      '\r\n',
  );
  small.splice(5000, 0, {
    folder: 'INBOX',
    raw: fifty,
    flags: ['\\Seen'],
    internalDate: new Date('2024-05-06T07:08:09Z'),
  });
  const bigBytes = small.reduce((n, m) => n + m.raw.length, 0);
  process.stderr.write(
    `memory profile: ${small.length} messages (one of ${mb(fifty.length)} MB), ${mb(bigBytes)} MB\n`,
  );
  await loadCorpus(source, big, small);
  const bigTarget = await target.addUser();
  const run = await trancheRun(source, big, target, bigTarget);
  const verify = await timed(
    process.execPath,
    [
      'bin/tranche.js',
      'verify',
      '--deep',
      '--source',
      source.url,
      '--source-user',
      big.user,
      '--target',
      target.url,
      '--target-user',
      bigTarget.user,
      '--allow-plaintext',
    ],
    { TRANCHE_SOURCE_PASSWORD: big.password, TRANCHE_TARGET_PASSWORD: bigTarget.password },
  ).then(
    (r) => ({ ok: /identical/.test(r.output), text: r.output.trim().split('\n').at(-1) }),
    (e) => ({ ok: false, text: String(e.message).slice(0, 300) }),
  );

  const header = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; Dovecot 2.3 to Dovecot 2.3 on this machine; best of ${RUNS}.`,
    '',
    '| profile | messages | MB | tranche | mbsync | tranche / mbsync | tranche peak RSS | mbsync peak RSS |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const lines = rows.map(
    (r) =>
      `| ${r.profile} | ${r.messages} | ${mb(r.bytes)} | ${r.tranche.seconds.toFixed(2)} s | ${r.mbsync.seconds.toFixed(2)} s | **${(r.tranche.seconds / r.mbsync.seconds).toFixed(2)}** | ${r.tranche.peakMb.toFixed(0)} MB | ${r.mbsync.peakMb.toFixed(0)} MB |`,
  );
  const memory = [
    '',
    `Memory profile: ${small.length} messages, one of them ${mb(fifty.length)} MB, ${mb(bigBytes)} MB in all: tranche took ${run.seconds.toFixed(2)} s with a peak RSS of **${run.peakMb.toFixed(0)} MB**; deep verify: ${verify.ok ? 'identical' : 'DIFFERENCES'} (${verify.text}).`,
  ];
  const table = [...header, ...lines, ...memory].join('\n');
  console.log(`\n${table}`);
  writeSection(
    'sync',
    `## Copy speed: tranche against mbsync\n\nThe 20 ms profile puts a proxy adding 10 ms each way in front of both servers.\n\n${table}`,
  );
  if (!verify.ok) process.exitCode = 1;
} finally {
  await source.stop();
  await target.stop();
  rmSync(work, { recursive: true, force: true });
}
