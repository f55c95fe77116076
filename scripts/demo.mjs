// The programme demo behind the README's first command. Builds a sample programme (three
// organisations, 60 mailboxes of generated mail on a throwaway source Dovecot, an empty target),
// then drives the real CLI the way a programme team would: import the lists, discover, plan the
// calendar, run it on a simulated clock (three weeks in about a minute), and print the report.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSampleProgramme } from '../dist/testing/sample-programme.js';
import { startSmtpSink } from '../dist/testing/smtp-sink.js';

const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'tranche-demo-'));
const dir = join(work, 'programme');
const say = (text) => console.log(`\n== ${text}`);

say('building the sample: 3 organisations, 60 mailboxes of generated mail on a local source Dovecot');
// A local SMTP server that keeps what it is sent: the notices users and admins would receive.
const smtp = await startSmtpSink();
const sample = await buildSampleProgramme({
  dir,
  organisations: [
    { code: 'PILOT', name: 'Pilot Health Board', pilot: true, mailboxes: 8 },
    { code: 'NORTH', name: 'North Trust', pilot: false, mailboxes: 26, blackoutDates: ['2027-01-21'] },
    { code: 'SOUTH', name: 'South Trust', pilot: false, mailboxes: 26 },
  ],
  messages: (i) => 20 + ((i * 37) % 61),
  config: `
schedule:
  weekday: { mailboxes: 15 }
  weekend: { mailboxes: 10 }
  blackoutDates: ['2027-01-20']
  noticeDays: 14
  seed: 2027
lifecycle:
  prestageDays: 3
  deltaTime: '01:00'
  cutoverTime: '18:00'
notices:
  from: 'Mail move <moves@example.org>'
  helpdesk: { name: 'the Service Desk', address: 'help@example.org', phone: '0300 123 4567' }
  smtp: { url: '${smtp.url}' }
`,
  targetFlags: ['--max-mailboxes', '4', '--max-connections', '12'],
});
// Asynchronous, so that the SMTP server in this process can answer while tranche sends notices.
const tranche = async (title, args, allowed) => {
  say(`${title}: tranche ${args.join(' ')}`);
  process.stdout.write(await sample.trancheAsync(args, allowed));
};
try {
  console.log(`programme directory: ${dir}`);
  await tranche('import the organisations', ['import', 'orgs', sample.organisationsCsv]);
  await tranche('import the mailbox list', ['import', 'mailboxes', sample.mailboxesCsv]);
  await tranche('log in to every mailbox on both sides and measure it', ['discover']);
  await tranche('plan the calendar on 4 January 2027 (pilots first, 14 days notice)', [
    'plan',
    '--today',
    '2027-01-04',
  ]);
  // After planning, the new platform's password policy locks one user out: the run must report it.
  const locked = sample.mailboxes.find((m) => m.organisation === 'SOUTH');
  await sample.target.disableUser(locked.target.user);
  say(`(meanwhile the target locks ${locked.address}: its move will fail with the reason)`);
  await tranche(
    'run the calendar on a simulated clock (one programme hour per second, idle time skipped), then the report',
    ['run', '--clock-start', '2027-01-04', '--clock-speed', '3600', '--quiet'],
    [0, 1],
  );
  await tranche('each organisation', ['status', '--orgs']);
  await tranche('the calendar, day by day', ['status', '--days']);
  await tranche('one mailbox, as the helpdesk sees it', ['status', locked.address]);
  await tranche('the notices sent (the last few of the ledger)', ['notices', 'list', '--limit', '6']);
  const warning = smtp.messages.find((m) => /moves to the new mail service/.test(m.subject));
  if (warning) {
    say(
      `one of the ${smtp.messages.length} notices the local SMTP server received: to ${warning.to.join(', ')}`,
    );
    console.log(`Subject: ${warning.subject}\n\n${warning.text.trim()}`);
  }
} finally {
  await sample.stop();
  await smtp.stop();
  if (keep) console.log(`\nkept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
