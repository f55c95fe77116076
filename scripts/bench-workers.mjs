// `npm run bench` (part): the scale-out mode. (1) Job dispatch overhead: no-op jobs per second through
// tranche's step queue (pg-boss, as `tranche worker` configures it) against a bare SKIP LOCKED queue
// table on the same PostgreSQL in the same run. (2) Aggregate copy rate of a whole lifecycle (pre-stage,
// final pass, verify) with 1, 2 and 4 `tranche worker` processes, against mbsync copying the same
// mailboxes one after another.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { silentLogger } from '../dist/log/logger.js';
import { StepQueue } from '../dist/runner/step-queue.js';
import { startPostgres } from '../dist/testing/postgres.js';
import { buildSampleProgramme } from '../dist/testing/sample-programme.js';
import { mbsync, timed, writeSection } from './bench-lib.mjs';

const JOBS = Number(process.env.TRANCHE_BENCH_JOBS ?? 1000);
const CONCURRENCY = 8;
const HOLD_MS = 500;
const MAILBOXES = Number(process.env.TRANCHE_BENCH_WORKER_MAILBOXES ?? 48);
const MESSAGES = Number(process.env.TRANCHE_BENCH_WORKER_MESSAGES ?? 100);
const WORKERS = [1, 2, 4];
const PER_WORKER = 4;
const work = mkdtempSync(join(tmpdir(), 'tranche-bench-workers-'));
const postgres = await startPostgres();
const lines = [];
const log = (text) => process.stderr.write(`${text}\n`);

/** Jobs per second for COUNT jobs of HOLD_MS each through tranche's queue, CONCURRENCY handlers at once. */
async function queueJobsPerSecond(url, count, holdMs) {
  const queue = await StepQueue.open(url, silentLogger());
  try {
    await queue.send(Array.from({ length: count }, (_, i) => ({ address: `m${i}@bench`, token: 'none' })));
    const started = performance.now();
    let done = 0;
    await new Promise((resolve) => {
      void queue.work(CONCURRENCY, async () => {
        if (holdMs > 0) await new Promise((r) => setTimeout(r, holdMs));
        if (++done === count) resolve();
      });
    });
    const seconds = (performance.now() - started) / 1000;
    await queue.drain();
    return count / seconds;
  } finally {
    await queue.close();
  }
}

/** The same through a bare queue table: DELETE … FOR UPDATE SKIP LOCKED, CONCURRENCY clients at once. */
async function bareJobsPerSecond(url) {
  const pool = new pg.Pool({ connectionString: url, max: CONCURRENCY });
  try {
    await pool.query('create table bench_queue (id bigserial primary key, data jsonb not null)');
    await pool.query(
      `insert into bench_queue (data) select jsonb_build_object('address', 'm' || i || '@bench', 'token', 'none') from generate_series(1, $1) i`,
      [JOBS],
    );
    const started = performance.now();
    const drain = async () => {
      for (;;) {
        const { rowCount } = await pool.query(
          'delete from bench_queue where id = (select id from bench_queue order by id for update skip locked limit 1) returning data',
        );
        if (rowCount === 0) return;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, drain));
    return JOBS / ((performance.now() - started) / 1000);
  } finally {
    await pool.end();
  }
}

try {
  log(`dispatch: ${JOBS} no-op jobs, ${CONCURRENCY} at once`);
  const bare = await bareJobsPerSecond(await postgres.createDatabase());
  const queued = await queueJobsPerSecond(await postgres.createDatabase(), JOBS, 0);
  // A job that outlasts the poll is followed by the next fetch at once: the overhead per job of a
  // real step is what is left of its slot's time beyond the step itself.
  const held = await queueJobsPerSecond(await postgres.createDatabase(), JOBS / 5, HOLD_MS);
  const overheadMs = (CONCURRENCY / held) * 1000 - HOLD_MS;
  log(
    `  bare SKIP LOCKED ${bare.toFixed(0)} jobs/s; step queue ${queued.toFixed(0)} no-op jobs/s; ${held.toFixed(1)} jobs/s of ${HOLD_MS} ms (${overheadMs.toFixed(1)} ms per job beyond the work)`,
  );

  log(`building ${MAILBOXES} mailboxes x ${MESSAGES} messages`);
  const limits = ['--max-mailboxes', '32', '--max-connections', '64'];
  const config = `
schedule:
  weekday: { mailboxes: ${MAILBOXES} }
  weekend: { mailboxes: ${MAILBOXES} }
  noticeDays: 14
lifecycle:
  prestageDays: 2
  connectionsPerMailbox: 1
`;
  const first = join(work, 'programme-1');
  const sample = await buildSampleProgramme({
    dir: first,
    db: await postgres.createDatabase(),
    organisations: [{ code: 'BENCH', name: 'Bench', pilot: false, mailboxes: MAILBOXES }],
    messages: () => MESSAGES,
    config,
    sourceFlags: limits,
    targetFlags: limits,
  });
  try {
    // A plan made thirty days ago: every batch day is past, so every step is due at once.
    const planDay = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
    const cli = (dir, args) => {
      const r = spawnSync(process.execPath, ['bin/tranche.js', ...args, '--programme', dir], {
        encoding: 'utf8',
        env: { ...process.env, TRANCHE_ENDPOINT_PASSWORD: '' },
      });
      if (r.status !== 0) throw new Error(`tranche ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    const runs = [];
    for (const [index, workers] of WORKERS.entries()) {
      let dir = first;
      if (index > 0) {
        dir = join(work, `programme-${workers}`);
        const init = spawnSync(
          process.execPath,
          ['bin/tranche.js', 'init', dir, '--db', await postgres.createDatabase()],
          {
            encoding: 'utf8',
          },
        );
        if (init.status !== 0) throw new Error(init.stderr);
        const yaml = join(dir, 'tranche.yaml');
        const text = readFileSync(yaml, 'utf8');
        writeFileSync(yaml, `${text.slice(0, text.indexOf('# The calendar'))}${config.trim()}\n`);
        for (const [name, server] of [
          ['old', sample.source],
          ['new', sample.target],
        ]) {
          const passwordFile = join(dir, `${name}.password`);
          writeFileSync(passwordFile, server.masterPassword, { mode: 0o600 });
          cli(dir, [
            'endpoint',
            'add',
            name,
            '--url',
            server.url,
            '--allow-plaintext',
            '--admin',
            server.masterUser,
            '--admin-password-file',
            passwordFile,
            ...limits,
          ]);
        }
        const mailboxesCsv = join(dir, 'mailboxes.csv');
        const rows = [];
        for (const m of sample.mailboxes) {
          const fresh = await sample.target.addUser(`w${workers}-${m.target.user}`);
          rows.push(`${m.address},${m.organisation},old,${m.source.user},new,${fresh.user}`);
        }
        writeFileSync(
          mailboxesCsv,
          ['address,organisation,source_endpoint,source_user,target_endpoint,target_user', ...rows].join(
            '\n',
          ) + '\n',
        );
        cli(dir, ['import', 'orgs', sample.organisationsCsv]);
        cli(dir, ['import', 'mailboxes', mailboxesCsv]);
      } else {
        cli(dir, ['import', 'orgs', sample.organisationsCsv]);
        cli(dir, ['import', 'mailboxes', sample.mailboxesCsv]);
      }
      cli(dir, ['discover']);
      cli(dir, ['plan', '--today', planDay]);
      log(`${workers} worker(s), ${PER_WORKER} mailboxes each`);
      const started = performance.now();
      const results = await Promise.all(
        Array.from({ length: workers }, () =>
          timed(process.execPath, [
            'bin/tranche.js',
            'worker',
            '--programme',
            dir,
            '--mailboxes',
            String(PER_WORKER),
            '--exit-when-done',
            '--quiet',
          ]),
        ),
      );
      const seconds = (performance.now() - started) / 1000;
      const status = JSON.parse(cli(dir, ['status', '--json']));
      if (status.states.done !== MAILBOXES)
        throw new Error(`run with ${workers} workers: ${JSON.stringify(status.states)}`);
      const peak = Math.max(...results.map((r) => r.peakMb));
      log(`  ${seconds.toFixed(1)} s, peak RSS per worker ${peak.toFixed(0)} MB`);
      runs.push({ workers, seconds, peak, bytes: status.copied.bytes });
    }

    log('mbsync, one mailbox after another');
    let mbsyncSeconds = 0;
    for (const [i, m] of sample.mailboxes.entries()) {
      const fresh = await sample.target.addUser(`mbw-${i}`);
      mbsyncSeconds += (await mbsync(work, sample.source, m.source, sample.target, fresh)).seconds;
    }
    log(`  ${mbsyncSeconds.toFixed(1)} s`);

    const messages = MAILBOXES * MESSAGES;
    lines.push(
      '## `tranche worker`: dispatch and scale-out',
      '',
      `Written by scripts/bench-workers.mjs on ${new Date().toISOString().slice(0, 10)}; one throwaway PostgreSQL, one local source and target Dovecot, this machine's cores shared by all of them.`,
      '',
      `Dispatch overhead: ${CONCURRENCY} handlers at once. pg-boss fetches again at once after a job that outlasted its poll (0.5 s), and waits out the poll after a shorter one, so no-op jobs measure the poll, and jobs of ${HOLD_MS} ms (like any real step, which takes seconds) measure the queue's own cost per job.`,
      '',
      '| queue | jobs/s | vs bare table | cost per job beyond the work |',
      '| --- | --- | --- | --- |',
      `| bare table, DELETE … FOR UPDATE SKIP LOCKED, ${JOBS.toLocaleString('en')} no-op jobs | ${bare.toFixed(0)} | 1.00 | ${((CONCURRENCY / bare) * 1000).toFixed(2)} ms |`,
      `| tranche's step queue (pg-boss 12), ${JOBS.toLocaleString('en')} no-op jobs | ${queued.toFixed(0)} | ${(queued / bare).toFixed(3)} | (the poll) |`,
      `| tranche's step queue, ${(JOBS / 5).toLocaleString('en')} jobs of ${HOLD_MS} ms | ${held.toFixed(1)} | | ${overheadMs.toFixed(1)} ms |`,
      '',
      `Aggregate copy rate: ${MAILBOXES} mailboxes x ${MESSAGES} messages, the whole lifecycle (pre-stage, final pass, verify), ${PER_WORKER} mailboxes per worker; mbsync copies the same mailboxes one after another (initial copy only).`,
      '',
      '| workers | seconds | messages/s (pre-stage + final + verify) | peak RSS per worker | time vs 1 worker | time vs mbsync |',
      '| --- | --- | --- | --- | --- | --- |',
      ...runs.map(
        (r) =>
          `| ${r.workers} | ${r.seconds.toFixed(1)} | ${(messages / r.seconds).toFixed(0)} | ${r.peak.toFixed(0)} MB | ${(r.seconds / runs[0].seconds).toFixed(2)} | ${(r.seconds / mbsyncSeconds).toFixed(2)} |`,
      ),
      `| mbsync, sequential | ${mbsyncSeconds.toFixed(1)} | ${(messages / mbsyncSeconds).toFixed(0)} | | | 1.00 |`,
    );
    writeSection('workers', lines.join('\n'));
    console.log(
      `dispatch: ${queued.toFixed(0)} no-op jobs/s (bare ${bare.toFixed(0)}), ${overheadMs.toFixed(1)} ms per job of ${HOLD_MS} ms; workers ${runs.map((r) => `${r.workers}: ${r.seconds.toFixed(1)} s`).join(', ')}; mbsync ${mbsyncSeconds.toFixed(1)} s`,
    );
  } finally {
    await sample.stop();
  }
} finally {
  await postgres.stop();
  rmSync(work, { recursive: true, force: true });
}
