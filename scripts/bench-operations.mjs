// Operations benchmark: a PostgreSQL programme of 2.1 million mailboxes in 22,000 organisations (one
// of them with 5,000 mailboxes), all planned over the coming weeks; then, through the real CLI,
// `tranche org move` of the 5,000-mailbox organisation, `tranche mailbox hold --file` of 20,000
// addresses, and one mailbox's audit trail (`tranche audit --mailbox`, and the query alone, timed in
// PostgreSQL). Sizes can be lowered with TRANCHE_BENCH_MAILBOXES / TRANCHE_BENCH_ORGS.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startPostgres } from '../dist/testing/postgres.js';
import { timed, writeSection } from './bench-lib.mjs';

const MAILBOXES = Number(process.env.TRANCHE_BENCH_MAILBOXES ?? 2_100_000);
const ORGS = Number(process.env.TRANCHE_BENCH_ORGS ?? 22_000);
const BIG = 5_000;
const HOLD = 20_000;
const work = mkdtempSync(join(tmpdir(), 'tranche-bench-ops-'));
const dir = join(work, 'programme');
const say = (text) => process.stderr.write(`${text}\n`);
const cli = (args) => timed(process.execPath, ['bin/tranche.js', ...args, '--programme', dir]);

const postgres = await startPostgres();
try {
  const url = await postgres.createDatabase();
  await timed(process.execPath, ['bin/tranche.js', 'init', dir, '--name', 'bench', '--db', url]);
  await cli(['endpoint', 'add', 'old', '--url', 'imaps://old.example.org']);
  await cli(['endpoint', 'add', 'new', '--url', 'imaps://new.example.org']);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  say(`writing ${ORGS} organisations and ${MAILBOXES} planned mailboxes`);
  let started = Date.now();
  await client.query(
    `INSERT INTO organisation (code, name, admin_contacts, pilot, blackout_dates)
     SELECT 'ORG' || lpad(i::text, 5, '0'), 'Organisation ' || i, '', 0, '' FROM generate_series(0, ${ORGS - 1}) i`,
  );
  // The first BIG mailboxes belong to ORG00000; the rest spread over the others. Days: weekdays of
  // March to June 2027, 22,000 a day, none told yet.
  await client.query(
    `INSERT INTO mailbox (address, organisation, source_endpoint, source_user, target_endpoint, target_user,
       notify_address, state, size_bytes, source_login, target_login, batch_day, next_step, next_due_at)
     SELECT a, o, 'old', 'u' || i, 'new', a, a, 'scheduled', 50000000, 'ok', 'ok', d, 'prestage', d || 'T01:00:00.000Z'
     FROM (SELECT i, 'user' || i || '@bench.example.org' AS a,
             CASE WHEN i < ${BIG} THEN 'ORG00000' ELSE 'ORG' || lpad((1 + i % ${ORGS - 1})::text, 5, '0') END AS o,
             to_char(date '2027-03-01' + (i / 22000) * 7 / 5, 'YYYY-MM-DD') AS d
           FROM generate_series(0, ${MAILBOXES - 1}) i) s`,
  );
  await client.query('ANALYZE');
  say(`  written in ${((Date.now() - started) / 1000).toFixed(0)} s`);

  const rows = [];
  const op = async (label, args) => {
    const result = await cli([...args, '--by', 'bench', '--reason', 'benchmark', '--json']);
    const out = JSON.parse(result.output.slice(result.output.indexOf('{')));
    say(
      `${label}: ${result.seconds.toFixed(2)} s, ${out.changed} changed, peak RSS ${result.peakMb.toFixed(0)} MB`,
    );
    rows.push(
      `| ${label} | ${result.seconds.toFixed(2)} s | ${out.changed.toLocaleString('en-GB')} | ${result.peakMb.toFixed(0)} MB |`,
    );
  };
  await op(`org move of ORG00000 (${BIG.toLocaleString('en-GB')} mailboxes)`, [
    'org',
    'move',
    'ORG00000',
    '--to',
    '2027-07-05',
    '--force',
  ]);
  const file = join(work, 'hold.csv');
  const start = Math.floor(MAILBOXES / 2);
  writeFileSync(
    file,
    `address\n${Array.from({ length: HOLD }, (_, k) => `user${start + k * 7}@bench.example.org`).join('\n')}\n`,
  );
  await op(`mailbox hold --file (${HOLD.toLocaleString('en-GB')} addresses)`, [
    'mailbox',
    'hold',
    '--file',
    file,
  ]);
  const one = `user${start + 7}@bench.example.org`;
  const trail = await cli(['audit', '--mailbox', one, '--json']);
  say(`audit --mailbox through the CLI: ${trail.seconds.toFixed(2)} s`);
  const times = [];
  for (let i = 0; i < 20; i++) {
    started = performance.now();
    await client.query('SELECT * FROM audit WHERE subject = $1 ORDER BY at DESC, id DESC LIMIT 1000', [
      `user${start + 7 * i}@bench.example.org`,
    ]);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const median = times[10];
  const audits = (await client.query('SELECT count(*) AS n FROM audit')).rows[0].n;
  say(`one mailbox's audit trail (query): median ${median.toFixed(2)} ms of 20, audit rows ${audits}`);
  await client.end();
  const table = [
    '## Day-to-day operations (scripts/bench-operations.mjs)',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}: a PostgreSQL programme of ${MAILBOXES.toLocaleString('en-GB')} planned mailboxes in ${ORGS.toLocaleString('en-GB')} organisations; each command through the CLI (start-up included), its change and its audit entries in one transaction.`,
    '',
    '| operation | time | mailboxes changed | peak RSS |',
    '| --- | --- | --- | --- |',
    ...rows,
    `| one mailbox's audit trail (\`tranche audit --mailbox\`, CLI) | ${trail.seconds.toFixed(2)} s | — | ${trail.peakMb.toFixed(0)} MB |`,
    `| one mailbox's audit trail (the query, median of 20, ${Number(audits).toLocaleString('en-GB')} audit rows) | ${median.toFixed(2)} ms | — | — |`,
  ].join('\n');
  if (MAILBOXES === 2_100_000 && ORGS === 22_000) writeSection('operations', table);
  process.stdout.write(`${table}\n`);
} finally {
  await postgres.stop();
  rmSync(work, { recursive: true, force: true });
}
