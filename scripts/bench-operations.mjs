// Operations benchmark: a programme of 2.1 million mailboxes in 22,000 organisations (one of them
// with 5,000 mailboxes), all planned over the coming weeks, on PostgreSQL and on SQLite; then,
// through the real CLI, `tranche org move` of the 5,000-mailbox organisation, `tranche mailbox hold
// --file` of 20,000 addresses, and one mailbox's audit trail (`tranche audit --mailbox`, and the
// query alone, timed in the store). Each command's wall time, its process's CPU time (user + sys)
// and the load average when it started: the machine is shared, and wall time under load is mostly
// waiting for a core. Sizes can be lowered with TRANCHE_BENCH_MAILBOXES / TRANCHE_BENCH_ORGS; the
// stores with TRANCHE_BENCH_STORES (postgres,sqlite).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { startPostgres } from '../dist/testing/postgres.js';
import { timed, writeSection } from './bench-lib.mjs';

const MAILBOXES = Number(process.env.TRANCHE_BENCH_MAILBOXES ?? 2_100_000);
const ORGS = Number(process.env.TRANCHE_BENCH_ORGS ?? 22_000);
const STORES = (process.env.TRANCHE_BENCH_STORES ?? 'postgres,sqlite').split(',');
const BIG = 5_000;
const HOLD = 20_000;
const say = (text) => process.stderr.write(`${text}\n`);
const start = Math.floor(MAILBOXES / 2);
/** The 20,000 held addresses: every seventh from the middle of the programme (wrapping round in a smaller one). */
const held = (k) => `user${(start + k * 7) % MAILBOXES}@bench.example.org`;

/** The programme's rows, one statement per table, as PostgreSQL (generate_series) or SQLite (a recursive CTE) writes them. */
const fill = {
  postgres: {
    organisations: `INSERT INTO organisation (code, name, admin_contacts, pilot, blackout_dates)
      SELECT 'ORG' || lpad(i::text, 5, '0'), 'Organisation ' || i, '', 0, '' FROM generate_series(0, ${ORGS - 1}) i`,
    // The first BIG mailboxes belong to ORG00000; the rest spread over the others. Days: weekdays of
    // March to June 2027, 22,000 a day, none told yet.
    mailboxes: `INSERT INTO mailbox (address, organisation, source_endpoint, source_user, target_endpoint, target_user,
       notify_address, state, size_bytes, source_login, target_login, batch_day, next_step, next_due_at)
      SELECT a, o, 'old', 'u' || i, 'new', a, a, 'scheduled', 50000000, 'ok', 'ok', d, 'prestage', d || 'T01:00:00.000Z'
      FROM (SELECT i, 'user' || i || '@bench.example.org' AS a,
              CASE WHEN i < ${BIG} THEN 'ORG00000' ELSE 'ORG' || lpad((1 + i % ${ORGS - 1})::text, 5, '0') END AS o,
              to_char(date '2027-03-01' + (i / 22000) * 7 / 5, 'YYYY-MM-DD') AS d
            FROM generate_series(0, ${MAILBOXES - 1}) i) s`,
  },
  sqlite: {
    organisations: `WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < ${ORGS - 1})
      INSERT INTO organisation (code, name, admin_contacts, pilot, blackout_dates)
      SELECT 'ORG' || printf('%05d', i), 'Organisation ' || i, '', 0, '' FROM s`,
    mailboxes: `WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < ${MAILBOXES - 1})
      INSERT INTO mailbox (address, organisation, source_endpoint, source_user, target_endpoint, target_user,
       notify_address, state, size_bytes, source_login, target_login, batch_day, next_step, next_due_at)
      SELECT a, o, 'old', 'u' || i, 'new', a, a, 'scheduled', 50000000, 'ok', 'ok', d, 'prestage', d || 'T01:00:00.000Z'
      FROM (SELECT i, 'user' || i || '@bench.example.org' AS a,
              CASE WHEN i < ${BIG} THEN 'ORG00000' ELSE 'ORG' || printf('%05d', 1 + i % ${ORGS - 1}) END AS o,
              date('2027-03-01', '+' || ((i / 22000) * 7 / 5) || ' days') AS d
            FROM s)`,
  },
};

/**
 * CPU seconds (user + sys) the PostgreSQL cluster on PORT has used so far: the postmaster's reaped
 * children (each command's backend exits with it) and the processes still running. The store's work
 * for a command, whatever the machine's load.
 */
function clusterCpu(port) {
  const stat = (pid) => {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  };
  const pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  const master = pids.find((pid) => {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      return cmd.includes('postgres') && cmd.includes(`-p\0${port}\0`);
    } catch {
      return false;
    }
  });
  if (!master) return NaN;
  let ticks = 0;
  for (const pid of pids) {
    try {
      const f = stat(pid);
      if (pid === master) ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
      else if (f[1] === master) ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // gone between the listing and the read
    }
  }
  return ticks / 100;
}

/** The store's own client: one query's rows, the fill, and one mailbox's trail timed in the store. */
async function storeClient(store, location) {
  if (store === 'postgres') {
    const client = new pg.Client({ connectionString: location });
    await client.connect();
    return {
      run: (text) => client.query(text),
      count: async () => (await client.query('SELECT count(*) AS n FROM audit')).rows[0].n,
      trail: (address) =>
        client.query('SELECT * FROM audit WHERE subject = $1 ORDER BY at DESC, id DESC LIMIT 1000', [
          address,
        ]),
      close: () => client.end(),
    };
  }
  const db = new Database(location);
  const trail = db.prepare('SELECT * FROM audit WHERE subject = ? ORDER BY at DESC, id DESC LIMIT 1000');
  return {
    run: (text) => db.exec(text),
    count: () => db.prepare('SELECT count(*) AS n FROM audit').get().n,
    trail: (address) => trail.all(address),
    close: () => db.close(),
  };
}

/** Builds the programme on STORE and times the operations; returns the table's rows. */
async function measure(store, url, port) {
  const work = mkdtempSync(join(tmpdir(), 'tranche-bench-ops-'));
  const dir = join(work, 'programme');
  const cli = (args) => timed(process.execPath, ['bin/tranche.js', ...args, '--programme', dir]);
  try {
    await timed(process.execPath, [
      'bin/tranche.js',
      'init',
      dir,
      '--name',
      'bench',
      ...(url ? ['--db', url] : []),
    ]);
    await cli(['endpoint', 'add', 'old', '--url', 'imaps://old.example.org']);
    await cli(['endpoint', 'add', 'new', '--url', 'imaps://new.example.org']);
    const client = await storeClient(store, url ?? join(dir, 'state.sqlite'));
    say(`${store}: writing ${ORGS} organisations and ${MAILBOXES} planned mailboxes`);
    let started = Date.now();
    await client.run(fill[store].organisations);
    await client.run(fill[store].mailboxes);
    await client.run('ANALYZE');
    say(`  written in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    const rows = [];
    const row = (label, result, changed) => {
      const server = result.storeCpu === undefined ? '—' : `${result.storeCpu.toFixed(2)} s`;
      const line = `${store}: ${label}: ${result.seconds.toFixed(2)} s, CPU ${result.cpuSeconds.toFixed(2)} s, PostgreSQL CPU ${server}, load ${result.load.toFixed(1)}, ${changed} changed, peak RSS ${result.peakMb.toFixed(0)} MB`;
      say(line);
      rows.push(
        `| ${store === 'postgres' ? 'PostgreSQL' : 'SQLite'} | ${label} | ${result.seconds.toFixed(2)} s | ${result.cpuSeconds.toFixed(2)} s | ${server} | ${result.load.toFixed(1)} | ${changed} | ${result.peakMb.toFixed(0)} MB |`,
      );
    };
    const op = async (label, args) => {
      const load = loadavg()[0];
      const before = port ? clusterCpu(port) : 0;
      const result = await cli([...args, '--by', 'bench', '--reason', 'benchmark', '--json']);
      const storeCpu = port ? clusterCpu(port) - before : undefined;
      const out = JSON.parse(result.output.slice(result.output.indexOf('{')));
      row(label, { ...result, load, storeCpu }, out.changed.toLocaleString('en-GB'));
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
    writeFileSync(file, `address\n${Array.from({ length: HOLD }, (_, k) => held(k)).join('\n')}\n`);
    await op(`mailbox hold --file (${HOLD.toLocaleString('en-GB')} addresses)`, [
      'mailbox',
      'hold',
      '--file',
      file,
    ]);
    const load = loadavg()[0];
    const trailCpu = port ? clusterCpu(port) : 0;
    const trail = await cli(['audit', '--mailbox', held(1), '--json']);
    trail.storeCpu = port ? clusterCpu(port) - trailCpu : undefined;
    row("one mailbox's audit trail (`tranche audit --mailbox`)", { ...trail, load }, '—');
    const times = [];
    for (let i = 0; i < 20; i++) {
      started = performance.now();
      await client.trail(held(i));
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const audits = Number(await client.count()).toLocaleString('en-GB');
    say(
      `${store}: one mailbox's audit trail (query): median ${times[10].toFixed(2)} ms of 20, audit rows ${audits}`,
    );
    rows.push(
      `| ${store === 'postgres' ? 'PostgreSQL' : 'SQLite'} | one mailbox's audit trail (the query alone, median of 20, ${audits} audit rows) | ${times[10].toFixed(2)} ms | — | — | — | — | — |`,
    );
    await client.close();
    return rows;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const rows = [];
if (STORES.includes('postgres')) {
  const postgres = await startPostgres();
  try {
    rows.push(...(await measure('postgres', await postgres.createDatabase(), postgres.port)));
  } finally {
    await postgres.stop();
  }
}
if (STORES.includes('sqlite')) rows.push(...(await measure('sqlite', undefined)));
const table = [
  '## Day-to-day operations (scripts/bench-operations.mjs)',
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}: a programme of ${MAILBOXES.toLocaleString('en-GB')} planned mailboxes in ${ORGS.toLocaleString('en-GB')} organisations; each command through the CLI (start-up included), its change and its audit entries in one transaction. CPU: the tranche process's user + system time (SQLite's work is in it); PostgreSQL CPU: the cluster's processes' user + system time during the command; load: the machine's 1-minute load average when the command started (a shared 2-core machine: wall time over CPU time is mostly waiting for a core).`,
  '',
  '| store | operation | time | CPU | PostgreSQL CPU | load | mailboxes changed | peak RSS |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows,
].join('\n');
if (MAILBOXES === 2_100_000 && ORGS === 22_000 && STORES.length === 2) writeSection('operations', table);
process.stdout.write(`${table}\n`);
