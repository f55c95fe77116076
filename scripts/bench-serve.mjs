// Dashboard benchmark: a PostgreSQL programme of 2.1 million mailboxes in 22,000 organisations, at
// mid-programme (about half done, 2% failed, the rest pre-staged, scheduled or not yet planned; a
// pass per mailbox that has one, skipped items, a warning notice per told user), written with
// generate_series for speed; then `tranche serve` through the real CLI and its answers timed over
// HTTP: the overview (the admin's whole programme: its first, computing answer and the served one;
// an org-admin's, computed live), the helpdesk lookup, an organisation's page, the failures and a
// /metrics scrape. Sizes can be lowered with TRANCHE_BENCH_MAILBOXES / TRANCHE_BENCH_ORGS.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startPostgres } from '../dist/testing/postgres.js';
import { timed, writeSection } from './bench-lib.mjs';

const MAILBOXES = Number(process.env.TRANCHE_BENCH_MAILBOXES ?? 2_100_000);
const ORGS = Number(process.env.TRANCHE_BENCH_ORGS ?? 22_000);
const RUNS = 20;
/** Weekdays of the calendar (from Monday 4 January 2027), and the one that is today. */
const DAYS = 96;
const TODAY = 45;
const work = mkdtempSync(join(tmpdir(), 'tranche-bench-serve-'));
const dir = join(work, 'programme');
const say = (text) => process.stderr.write(`${text}\n`);
const cli = (args) => timed(process.execPath, ['bin/tranche.js', ...args, '--programme', dir]);

/** The done mailboxes with one skipped item: one in 200 (by the number in its source user, u<i>). */
const SKIPPED = "state = 'done' AND substr(source_user, 2)::bigint % 200 = 0";

/** The rows, all in SQL: organisations, mailboxes in every state, passes, skipped items, notices. */
async function writeProgramme(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const q = async (label, text) => {
    const started = Date.now();
    const result = await client.query(text);
    say(`  ${label}: ${result.rowCount ?? ''} rows, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  };
  try {
    await q(
      'organisations',
      `INSERT INTO organisation (code, name, admin_contacts, pilot, blackout_dates)
       SELECT 'ORG' || lpad(i::text, 5, '0'), 'Organisation ' || i, 'it@org' || i || '.example.org', (i < 50)::int, ''
       FROM generate_series(0, ${ORGS - 1}) i`,
    );
    // Day k of the calendar is the k-th weekday; mailboxes before today are done (one in fifty
    // failed), today's at cutover, the next three days' pre-staged, later ones scheduled; 8% unplanned.
    await q(
      'mailboxes',
      `INSERT INTO mailbox (address, organisation, display_name, source_endpoint, source_user, target_endpoint,
         target_user, notify_address, state, size_bytes, message_count, folder_count, source_login, target_login,
         discovered_at, batch_day, told_day, next_step, next_due_at, failure_type, failure_reason, last_pass_at,
         done_at, copied_messages, copied_bytes)
       SELECT address, org, 'User ' || i, 'old', 'u' || i, 'new', address, address, st, size, msgs, 12, 'ok', 'ok',
         '2026-12-01T00:00:00.000Z', day, CASE WHEN k <= ${TODAY} + 10 THEN day END,
         CASE st WHEN 'scheduled' THEN 'prestage' WHEN 'prestaged' THEN 'delta' WHEN 'cutover' THEN 'final' END,
         CASE WHEN st IN ('scheduled', 'prestaged', 'cutover') THEN day || 'T01:00:00.000Z' END,
         CASE WHEN st = 'failed' THEN (ARRAY['auth', 'auth', 'quota', 'account-disabled', 'connection-lost', 'verify', 'message-refused'])[1 + i % 7] END,
         CASE WHEN st = 'failed' THEN (ARRAY['AUTHENTICATE failed', 'AUTHENTICATE failed', 'Quota exceeded (mailbox for user is full)',
           '[CONTACTADMIN] account disabled', 'connection reset by peer', '3 messages differ', 'message too large'])[1 + i % 7] END,
         CASE WHEN st IN ('done', 'failed', 'prestaged', 'cutover') THEN day || 'T19:00:00.000Z' END,
         CASE WHEN st = 'done' THEN day || 'T19:00:00.000Z' END,
         CASE WHEN st IN ('done', 'prestaged', 'cutover') THEN msgs ELSE 0 END,
         CASE WHEN st IN ('done', 'prestaged', 'cutover') THEN size ELSE 0 END
       FROM (
         SELECT i, 'user' || i || '@org' || (i % ${ORGS}) || '.example.org' AS address,
           'ORG' || lpad((i % ${ORGS})::text, 5, '0') AS org, k,
           CASE WHEN r >= 920 THEN NULL ELSE to_char(date '2027-01-04' + ((k / 5) * 7 + k % 5)::int, 'YYYY-MM-DD') END AS day,
           CASE WHEN r >= 920 THEN 'imported'
                WHEN k < ${TODAY} THEN (CASE WHEN r % 50 = 7 THEN 'failed' ELSE 'done' END)
                WHEN k = ${TODAY} THEN 'cutover' WHEN k <= ${TODAY} + 3 THEN 'prestaged' ELSE 'scheduled' END AS st,
           ((i::bigint * 2654435761) % 2000) * 1000000 AS size, (i::bigint * 40503) % 50000 AS msgs
         FROM (SELECT i, (i::bigint * 7919) % 1000 AS r, ((i::bigint * 2654435761) % 4294967296) % ${DAYS} AS k
               FROM generate_series(0, ${MAILBOXES - 1}) i) s
       ) g`,
    );
    await q(
      'passes',
      `INSERT INTO pass (id, mailbox, kind, worker, started_at, finished_at, outcome, messages, bytes, skipped, error_type, error_reason,
         source_endpoint, target_endpoint)
       SELECT 'p-' || address, address, CASE state WHEN 'prestaged' THEN 'prestage' ELSE 'final' END, 'w1',
         replace(last_pass_at, 'T19', 'T18'), last_pass_at,
         CASE WHEN state = 'failed' THEN 'failed' WHEN ${SKIPPED} THEN 'partial' ELSE 'ok' END,
         copied_messages, copied_bytes, CASE WHEN ${SKIPPED} THEN 1 ELSE 0 END, failure_type, failure_reason,
         source_endpoint, target_endpoint
       FROM mailbox WHERE last_pass_at IS NOT NULL`,
    );
    await q(
      'skipped items',
      `INSERT INTO skipped_item (mailbox, folder, uid, size, reason, recorded_at)
       SELECT address, 'INBOX', 17, 60000000, 'message too large for the target', last_pass_at FROM mailbox WHERE ${SKIPPED}`,
    );
    await q(
      'notices',
      `INSERT INTO notice (subject, kind, day, organisation, state, due_at, recipients, sent_at, created_at)
       SELECT address, 'warning', told_day, organisation, 'sent', told_day || 'T08:00:00.000Z', notify_address,
         told_day || 'T08:00:01.000Z', told_day || 'T08:00:00.000Z'
       FROM mailbox WHERE told_day IS NOT NULL`,
    );
    await q('vacuum analyze', 'VACUUM ANALYZE');
  } finally {
    await client.end();
  }
}

/** Starts `tranche serve` on a free port; resolves with its base URL and a stop function. */
function serve() {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['bin/tranche.js', 'serve', '--listen', '127.0.0.1:0', '--programme', dir],
      // At info level, serve logs when its start-up computation of the whole-programme views is done.
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TRANCHE_LOG_LEVEL: 'info' } },
    );
    let err = '';
    let base;
    let warm;
    const warmed = new Promise((done) => (warm = done));
    child.stderr.on('data', (d) => {
      err += d;
      const m = /on (http:\/\/\S+)/.exec(err);
      if (m && !base) {
        base = m[1];
        resolve({
          base,
          warmed,
          stop: () => new Promise((done) => child.once('exit', done).kill('SIGTERM')),
        });
      }
      const w = /"tookMs":(\{[^}]*\})[^\n]*whole-programme views computed/.exec(err);
      if (w) warm(JSON.parse(w[1]));
    });
    child.on('exit', (code) => reject(new Error(`tranche serve exited with ${code}: ${err}`)));
  });
}

/** Milliseconds for one GET (body read in full); fails on any status but 200. */
async function get(base, path, token) {
  const started = performance.now();
  const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
  return performance.now() - started;
}

const stats = (ms) => {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
  return { median: at(0.5), p95: at(0.95), runs: ms.length };
};

const postgres = await startPostgres();
try {
  const url = await postgres.createDatabase();
  await timed(process.execPath, ['bin/tranche.js', 'init', dir, '--name', 'bench', '--db', url]);
  await cli(['endpoint', 'add', 'old', '--url', 'imaps://old.example.org']);
  await cli(['endpoint', 'add', 'new', '--url', 'imaps://new.example.org']);
  const yaml = join(dir, 'tranche.yaml');
  writeFileSync(
    yaml,
    readFileSync(yaml, 'utf8').replace('  weekday: { mailboxes: 1000 }', '  weekday: { mailboxes: 22000 }'),
  );
  say(`writing ${ORGS} organisations and ${MAILBOXES} mailboxes into PostgreSQL`);
  const started = Date.now();
  await writeProgramme(url);
  say(`  written in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const token = async (args) => (await cli(['token', 'create', ...args])).output.split('\n')[0].trim();
  const admin = await token(['--role', 'admin']);
  const orgAdmin = await token(['--role', 'org-admin', '--org', 'ORG00042']);

  const server = await serve();
  const rows = [];
  const measure = async (label, paths, tokenValue, runs = RUNS) => {
    const ms = [];
    for (let i = 0; i < runs; i++) ms.push(await get(server.base, paths(i), tokenValue));
    const s = stats(ms);
    say(`  ${label}: median ${s.median.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms (${s.runs} runs)`);
    rows.push({ label, ...s });
  };
  try {
    // `tranche serve` computes the whole-programme views as it starts: the first request waits for that.
    const cold = await get(server.base, '/api/overview', admin);
    say(`  overview, admin, first answer after the start: ${cold.toFixed(0)} ms`);
    rows.push({
      label: 'overview, admin (whole programme): first answer after the start (its computation)',
      median: cold,
      p95: cold,
      runs: 1,
    });
    // The other whole-programme views are computed after the overview; measure once they are in memory.
    const tookMs = await server.warmed;
    say(`  start-up computation of the whole-programme views: ${JSON.stringify(tookMs)} ms`);
    for (const [view, ms] of Object.entries(tookMs))
      rows.push({ label: `start-up computation: ${view}`, median: ms, p95: ms, runs: 1 });
    await measure('overview, admin (whole programme): served', () => '/api/overview', admin);
    await measure('overview, org-admin (one organisation, live)', () => '/api/overview', orgAdmin);
    const address = (i) => {
      const n = (i * 104_729 + 12_345) % MAILBOXES;
      return `/api/mailboxes/user${n}@org${n % ORGS}.example.org`;
    };
    await measure('lookup, admin (a different mailbox each time)', address, admin);
    await measure(
      'lookup, org-admin',
      (i) => `/api/mailboxes/user${42 + ORGS * i}@org42.example.org`,
      orgAdmin,
    );
    await measure(
      'organisation page',
      (i) => `/api/organisations/ORG${String((i * 977) % ORGS).padStart(5, '0')}`,
      admin,
    );
    await measure('failures by type (live)', () => '/api/failures', admin);
    await measure(
      '/metrics scrape (figures from memory, workers and endpoint load live)',
      () => '/metrics',
      admin,
    );
  } finally {
    await server.stop();
  }

  const table = [
    `## Dashboard: ${MAILBOXES.toLocaleString('en-GB')} mailboxes in PostgreSQL`,
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}. \`tranche serve\` through the CLI over a PostgreSQL programme of ${MAILBOXES.toLocaleString('en-GB')} mailboxes in ${ORGS.toLocaleString('en-GB')} organisations at mid-programme (about 47% done, 1% failed, the rest at cutover, pre-staged, scheduled or unplanned; about a million passes, a warning notice per told user), written with generate_series (scripts/bench-serve.mjs). Times are one HTTP GET each from the same machine, body read in full.`,
    '',
    '| request | median | p95 | runs |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.label} | ${r.median.toFixed(1)} ms | ${r.p95.toFixed(1)} ms | ${r.runs} |`),
    '',
    "The whole programme's overview aggregates every mailbox (counts and sums by state, the calendar, 30 days of throughput): that takes seconds at this size, so `tranche serve` computes it as it starts, keeps it in memory and recomputes it in the background once it is older than `--refresh` (30 s by default); only a request during the start-up computation waits. The calendar, the organisation table and the programme-wide figures of /metrics are kept the same way (computed after the overview at the start). An org-admin's figures, the lookup, an organisation's page and the failures (partial indexes of failed mailboxes) are read live through indexes; so are the workers and each endpoint's load in /metrics (the bytes each endpoint moved in the last hour come from the recent passes, which carry their endpoints). Served figures are measured once the start-up computation has ended.",
  ].join('\n');
  console.log(`\n${table}`);
  if (MAILBOXES === 2_100_000 && ORGS === 22_000) writeSection('serve', table);
} finally {
  await postgres.stop();
  rmSync(work, { recursive: true, force: true });
}
