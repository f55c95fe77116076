// Import benchmark: 2.1 million mailboxes in 22,000 organisations from CSV (passwords included,
// so every row is sealed), imported by the real CLI into SQLite and into PostgreSQL; time and
// peak RSS. Sizes can be lowered with TRANCHE_BENCH_MAILBOXES / TRANCHE_BENCH_ORGS.
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { startPostgres } from '../dist/testing/postgres.js';
import { timed, writeSection } from './bench-lib.mjs';

const MAILBOXES = Number(process.env.TRANCHE_BENCH_MAILBOXES ?? 2_100_000);
const ORGS = Number(process.env.TRANCHE_BENCH_ORGS ?? 22_000);
const work = mkdtempSync(join(tmpdir(), 'tranche-bench-import-'));
const say = (text) => process.stderr.write(`${text}\n`);

async function writeCsv(file, header, count, row) {
  const out = createWriteStream(file);
  out.write(`${header}\n`);
  for (let i = 0; i < count; i++) {
    if (!out.write(`${row(i)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

const orgCode = (i) => `ORG${String(i).padStart(5, '0')}`;
const orgsFile = join(work, 'orgs.csv');
const mailboxesFile = join(work, 'mailboxes.csv');
say(`writing ${ORGS} organisations and ${MAILBOXES} mailboxes`);
await writeCsv(orgsFile, 'code,name,admin_contacts,pilot,blackout_dates', ORGS, (i) =>
  [
    orgCode(i),
    `"Organisation ${i}, Region ${i % 40}"`,
    `it@org${i}.example.org`,
    i < 50 ? 'yes' : 'no',
    i % 7 === 0 ? '2026-12-25;2027-01-01' : '',
  ].join(','),
);
await writeCsv(
  mailboxesFile,
  'address,organisation,display_name,source_endpoint,source_user,source_password,target_endpoint,target_user',
  MAILBOXES,
  (i) => {
    const org = i % ORGS;
    const address = `user${i}@org${org}.example.org`;
    return [
      address,
      orgCode(org),
      `User ${i}`,
      'old',
      `u${i}`,
      `pw-${(i * 2654435761) % 1e9}`,
      'new',
      address,
    ].join(',');
  },
);
say(`mailbox list: ${(statSync(mailboxesFile).size / 1e6).toFixed(0)} MB`);

const cli = (args, env = {}) => timed(process.execPath, ['bin/tranche.js', ...args], env);
const rows = [];
const postgres = await startPostgres();
try {
  for (const backend of ['SQLite', 'PostgreSQL']) {
    const dir = join(work, backend);
    const db = backend === 'PostgreSQL' ? ['--db', await postgres.createDatabase()] : [];
    await cli(['init', dir, '--name', 'bench', ...db]);
    await cli(['endpoint', 'add', 'old', '--url', 'imaps://old.example.org', '--programme', dir]);
    await cli(['endpoint', 'add', 'new', '--url', 'imaps://new.example.org', '--programme', dir]);
    say(`${backend}: importing`);
    const orgs = await cli(['import', 'orgs', orgsFile, '--programme', dir]);
    const mailboxes = await cli(['import', 'mailboxes', mailboxesFile, '--programme', dir]);
    say(`  ${mailboxes.output.trim()}`);
    say(
      `  organisations ${orgs.seconds.toFixed(1)} s, mailboxes ${mailboxes.seconds.toFixed(1)} s, peak RSS ${mailboxes.peakMb.toFixed(0)} MB`,
    );
    rows.push({ backend, orgs, mailboxes });
  }
} finally {
  await postgres.stop();
  rmSync(work, { recursive: true, force: true });
}

const table = [
  `## Import: ${MAILBOXES.toLocaleString('en-GB')} mailboxes in ${ORGS.toLocaleString('en-GB')} organisations`,
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}. One CSV row per mailbox, each with a password (sealed on import); one transaction per file.`,
  '',
  '| backend | organisations | mailboxes | mailboxes/s | peak RSS (mailboxes) |',
  '| --- | --- | --- | --- | --- |',
  ...rows.map(
    (r) =>
      `| ${r.backend} | ${r.orgs.seconds.toFixed(1)} s | ${r.mailboxes.seconds.toFixed(1)} s | ${Math.round(MAILBOXES / r.mailboxes.seconds).toLocaleString('en-GB')} | ${r.mailboxes.peakMb.toFixed(0)} MB |`,
  ),
].join('\n');
console.log(`\n${table}`);
if (MAILBOXES === 2_100_000 && ORGS === 22_000) writeSection('import', table);
