// `npm run bench` (part): the aggregate copy rate of `tranche run` over 200 mailboxes x 200 messages,
// against the same mailboxes copied one after another by mbsync (Debian's isync) in the same run.
// tranche's figure is the pre-stage (every mailbox's initial copy) on the real clock; the rest of the
// lifecycle (a delta, the final pass and its verify) is timed separately.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSampleProgramme } from '../dist/testing/sample-programme.js';
import { mbsync, timed, writeSection } from './bench-lib.mjs';

const MAILBOXES = Number(process.env.TRANCHE_BENCH_MAILBOXES ?? 200);
const MESSAGES = Number(process.env.TRANCHE_BENCH_MESSAGES ?? 200);
const AT_ONCE = 8;
const work = mkdtempSync(join(tmpdir(), 'tranche-bench-run-'));
const dir = join(work, 'programme');
const limits = ['--max-mailboxes', String(AT_ONCE), '--max-connections', String(AT_ONCE * 2)];

process.stderr.write(`building ${MAILBOXES} mailboxes x ${MESSAGES} messages\n`);
const sample = await buildSampleProgramme({
  dir,
  organisations: [{ code: 'BENCH', name: 'Bench', pilot: false, mailboxes: MAILBOXES }],
  messages: () => MESSAGES,
  config: `
schedule:
  weekday: { mailboxes: ${MAILBOXES} }
  noticeDays: 1
lifecycle:
  prestageDays: 1
  connectionsPerMailbox: 2
`,
  sourceFlags: limits,
  targetFlags: limits,
});
try {
  sample.tranche(['import', 'orgs', sample.organisationsCsv]);
  sample.tranche(['import', 'mailboxes', sample.mailboxesCsv]);
  const discovered = JSON.parse(sample.tranche(['discover', '--json']));
  sample.tranche(['plan', '--today', '2027-03-01']);
  const tranche = (args) => timed(process.execPath, ['bin/tranche.js', ...args, '--programme', dir]);

  process.stderr.write('tranche run: pre-stage of every mailbox\n');
  const prestage = await tranche([
    'run',
    '--clock-start',
    '2027-03-01T00:30Z',
    '--until',
    '2027-03-01T23:00Z',
    '--quiet',
  ]);
  process.stderr.write(`  ${prestage.seconds.toFixed(1)} s, peak RSS ${prestage.peakMb.toFixed(0)} MB\n`);
  process.stderr.write('tranche run: delta, final pass and verify of every mailbox\n');
  const rest = await tranche(['run', '--clock-start', '2027-03-01T23:00Z', '--quiet']);
  process.stderr.write(`  ${rest.seconds.toFixed(1)} s, peak RSS ${rest.peakMb.toFixed(0)} MB\n`);
  const status = JSON.parse(sample.tranche(['status', '--json']));

  process.stderr.write('mbsync, one mailbox after another\n');
  let mbsyncSeconds = 0;
  let mbsyncPeak = 0;
  for (const [i, m] of sample.mailboxes.entries()) {
    const fresh = await sample.target.addUser(`mb-${i}`);
    const run = await mbsync(work, sample.source, m.source, sample.target, fresh);
    mbsyncSeconds += run.seconds;
    mbsyncPeak = Math.max(mbsyncPeak, run.peakMb);
  }
  process.stderr.write(`  ${mbsyncSeconds.toFixed(1)} s\n`);

  const messages = MAILBOXES * MESSAGES;
  const mb = discovered.bytes / 1e6;
  const rate = (s) => `${(messages / s).toFixed(0)} msg/s, ${(mb / s).toFixed(1)} MB/s`;
  writeSection(
    'run',
    [
      `## \`tranche run\`: ${MAILBOXES} mailboxes x ${MESSAGES} messages`,
      '',
      `Written by scripts/bench-run.mjs on ${new Date().toISOString().slice(0, 10)}: ${messages.toLocaleString('en')} messages, ${mb.toFixed(0)} MB, one local source and target Dovecot, ${AT_ONCE} mailboxes at once (endpoint limits), 2 connections each. mbsync copies the same mailboxes one after another into fresh users.`,
      '',
      '| run | seconds | rate | peak RSS | time vs mbsync |',
      '| --- | --- | --- | --- | --- |',
      `| tranche run, pre-stage (initial copy) | ${prestage.seconds.toFixed(1)} | ${rate(prestage.seconds)} | ${prestage.peakMb.toFixed(0)} MB | ${(prestage.seconds / mbsyncSeconds).toFixed(2)} |`,
      `| tranche run, delta + final pass + verify | ${rest.seconds.toFixed(1)} | | ${rest.peakMb.toFixed(0)} MB | |`,
      `| mbsync, one mailbox after another | ${mbsyncSeconds.toFixed(1)} | ${rate(mbsyncSeconds)} | ${mbsyncPeak.toFixed(0)} MB | 1.00 |`,
      '',
      `End state: ${JSON.stringify(status.states ?? status.counts ?? status)}.`.slice(0, 400),
    ].join('\n'),
  );
  console.log(
    `tranche run pre-stage: ${prestage.seconds.toFixed(1)} s (${rate(prestage.seconds)}); mbsync sequential: ${mbsyncSeconds.toFixed(1)} s (${rate(mbsyncSeconds)}); ratio ${(prestage.seconds / mbsyncSeconds).toFixed(2)}; rest of the lifecycle ${rest.seconds.toFixed(1)} s`,
  );
} finally {
  await sample.stop();
  rmSync(work, { recursive: true, force: true });
}
