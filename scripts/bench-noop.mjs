// Start-up and passes with nothing to do, for scripts/bench.mjs: `tranche --help` through the
// installed command, node and npx; a no-op pass over ten folders as a whole process and inside a
// long-running process (as the runner does it); the no-op delta rate over many mailboxes.
import { cpus } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_FOLDER_SYNC, syncMailbox } from '../dist/copy/sync-mailbox.js';
import { silentLogger } from '../dist/log/logger.js';
import { SyncCheckpoints } from '../dist/state/sync-checkpoints.js';
import { openSqlite } from '../dist/state/sqlite/open-sqlite.js';
import { generateCorpus } from '../dist/testing/corpus.js';
import { loadFast, openStore, TEN_FOLDERS } from './bench-corpus.mjs';
import { median, timed } from './bench-lib.mjs';

const MAILBOXES = Number(process.env.TRANCHE_BENCH_MAILBOXES ?? 1000);

/** `tranche --help`: the installed command (bin on PATH, as after `npm link` or a global install), node, npx. */
export async function startupBench(runs) {
  const figures = [];
  await timed('bin/tranche.js', ['--help']); // the first start fills the compile cache
  for (const [label, command, args] of [
    ['installed command (`tranche --help`, bin/tranche.js on PATH)', 'bin/tranche.js', ['--help']],
    ['`node bin/tranche.js --help`', process.execPath, ['bin/tranche.js', '--help']],
    ['`npx tranche --help` (in the project)', 'npx', ['--no-install', 'tranche', '--help']],
  ]) {
    const results = [];
    for (let i = 0; i < runs; i++) results.push(await timed(command, args));
    figures.push({
      label,
      ms: median(results.map((r) => r.seconds * 1000)),
      cpuMs: median(results.map((r) => r.cpuSeconds * 1000)),
    });
    process.stderr.write(`  start-up ${label}: ${figures.at(-1).ms.toFixed(0)} ms\n`);
  }
  return {
    figures,
    lines: [
      `Start-up, median of ${runs} (after one start that fills V8's compile cache):`,
      '',
      '| how | wall | CPU |',
      '| --- | --- | --- |',
      ...figures.map((f) => `| ${f.label} | ${f.ms.toFixed(0)} ms | ${f.cpuMs.toFixed(0)} ms |`),
    ],
  };
}

function request(key, source, sourceUser, target, targetUser, checkpoints, connections) {
  return {
    mailboxKey: key,
    openSource: () => openStore(source, sourceUser),
    openTarget: () => openStore(target, targetUser),
    checkpoints,
    folders: { renames: [], excludes: [] },
    options: DEFAULT_FOLDER_SYNC,
    logger: silentLogger(),
    connections,
  };
}

/** Wall and CPU (this process: user + system) of one call. */
async function measured(run) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await run();
  const used = process.cpuUsage(cpu);
  return { result, ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
}

/** Passes with nothing to do: one ten-folder mailbox (process and in-process), then many mailboxes. */
export async function noopBench(source, target, runs, work) {
  const su = await source.addUser();
  const tu = await target.addUser();
  await loadFast(
    source,
    su,
    generateCorpus({ seed: 4245, messages: 300, folders: TEN_FOLDERS, bigAttachments: 0 }),
  );
  const env = { TRANCHE_SOURCE_PASSWORD: su.password, TRANCHE_TARGET_PASSWORD: tu.password };
  const args = [
    'bin/tranche.js',
    'sync',
    '--source',
    source.url,
    '--source-user',
    su.user,
    '--target',
    target.url,
  ];
  args.push('--target-user', tu.user, '--allow-plaintext', '--state', join(work, 'noop.sqlite'));
  await timed(process.execPath, args, env);
  const whole = [];
  for (let i = 0; i < runs; i++) whole.push(await timed(process.execPath, args, env));

  const db = await openSqlite(join(work, 'noop-inprocess.sqlite'));
  const lines = [];
  let insideCpuFigure = NaN;
  let perCoreFigure = NaN;
  try {
    const checkpoints = new SyncCheckpoints(db);
    const one = request('noop', source, su, target, tu, checkpoints, 4);
    await syncMailbox(one);
    const inside = [];
    for (let i = 0; i < runs * 2; i++) inside.push(await measured(() => syncMailbox(one)));
    if (inside.some((p) => p.result.messagesCopied !== 0)) throw new Error('a no-op pass copied messages');

    // Many mailboxes of ten folders each, synced once, then a no-op delta pass over all of them.
    process.stderr.write(`  no-op rate: setting up ${MAILBOXES} mailboxes\n`);
    const pairs = [];
    const tiny = generateCorpus({ seed: 4246, messages: 20, folders: TEN_FOLDERS, bigAttachments: 0 });
    for (let i = 0; i < MAILBOXES; i++) {
      const s = await source.addUser();
      pairs.push({ key: `m${i}`, s, t: await target.addUser() });
      await loadFast(source, s, tiny);
    }
    const CONCURRENT = 8;
    const pass = async () => {
      const queue = [...pairs];
      await Promise.all(
        Array.from({ length: CONCURRENT }, async () => {
          for (let p = queue.shift(); p; p = queue.shift()) {
            const report = await syncMailbox(request(p.key, source, p.s, target, p.t, checkpoints, 1));
            if (report.status !== 'done') throw new Error(`${p.key}: ${JSON.stringify(report.error)}`);
          }
        }),
      );
    };
    await pass();
    const many = await measured(pass);
    const insideMs = median(inside.map((p) => p.ms));
    const insideCpu = median(inside.map((p) => p.cpuMs));
    insideCpuFigure = insideCpu;
    perCoreFigure = MAILBOXES / (many.cpuMs / 1000);
    const wholeMs = median(whole.map((r) => r.seconds * 1000));
    const wholeCpu = median(whole.map((r) => r.cpuSeconds * 1000));
    lines.push(
      'Passes with nothing to do (ten folders, 300 messages, already copied):',
      '',
      '| pass | wall | CPU (tranche) |',
      '| --- | --- | --- |',
      `| whole process (\`node bin/tranche.js sync\`), median of ${runs} | ${wholeMs.toFixed(0)} ms | ${wholeCpu.toFixed(0)} ms |`,
      `| inside a long-running process (syncMailbox, as the runner calls it; connect and log in included), median of ${runs * 2} | ${insideMs.toFixed(0)} ms | **${insideCpu.toFixed(0)} ms** |`,
      `| ${MAILBOXES} mailboxes of ten folders, ${CONCURRENT} at once, one connection each | ${(many.ms / 1000).toFixed(1)} s: ${(MAILBOXES / (many.ms / 1000)).toFixed(0)} mailboxes/s | ${(many.cpuMs / 1000).toFixed(1)} s: **${(MAILBOXES / (many.cpuMs / 1000)).toFixed(0)} mailboxes/s per core** (${cpus().length} cores, shared with both Dovecots) |`,
    );
  } finally {
    await db.destroy();
  }
  return { lines, insideCpuMs: insideCpuFigure, perCore: perCoreFigure };
}
