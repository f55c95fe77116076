import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openStateStore } from '../state/open-state-store.js';
import { buildSampleProgramme, type SampleProgramme } from '../testing/sample-programme.js';
import { startSmtpSink, type ReceivedMessage, type SmtpSink } from '../testing/smtp-sink.js';
import { runCli, tempStatePath } from '../testing/sync-fixture.js';

let sink: SmtpSink;
let sample: SampleProgramme;
let dir: string;
/** When set, the sink holds the next message unanswered and calls this (the test kills the sender). */
let onHold: (() => void) | undefined;

before(async () => {
  sink = await startSmtpSink({
    onMessage: () => {
      if (!onHold) return Promise.resolve('accept');
      const hold = onHold;
      onHold = undefined;
      hold();
      return Promise.resolve('hold');
    },
  });
  dir = join(tempStatePath().replace(/\/state\.sqlite$/, ''), 'programme');
  sample = await buildSampleProgramme({
    dir,
    organisations: [
      { code: 'PILOT', name: 'Pilot', pilot: true, mailboxes: 2 },
      { code: 'MAIN', name: 'Main Trust', pilot: false, mailboxes: 3 },
    ],
    messages: () => 6,
    config: `
schedule:
  weekday: { mailboxes: 2 }
  weekend: { mailboxes: 0 }
  noticeDays: 14
  seed: 3
lifecycle:
  prestageDays: 2
notices:
  from: 'Mail move <moves@example.org>'
  helpdesk: { name: 'Service desk', address: 'help@example.org', phone: '0300 123 4567' }
  smtp: { url: '${sink.url}' }
`,
  });
});
after(async () => {
  await sample?.stop();
  await sink?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface LedgerRow {
  subject: string;
  kind: string;
  day: string;
  state: string;
  sent_at: string | null;
  message_id: string | null;
}

async function ledger(): Promise<LedgerRow[]> {
  const db = await openStateStore(join(dir, 'state.sqlite'));
  try {
    return await db
      .selectFrom('notice')
      .select(['subject', 'kind', 'day', 'state', 'sent_at', 'message_id'])
      .orderBy('sent_at')
      .execute();
  } finally {
    await db.destroy();
  }
}

const daysBefore = (day: string, n: number): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);

test('notices from the calendar: each user gets exactly the expected ones, on the expected days, once', async () => {
  sample.tranche(['import', 'orgs', sample.organisationsCsv]);
  sample.tranche(['import', 'mailboxes', sample.mailboxesCsv]);
  sample.tranche(['discover']);
  sample.tranche(['plan', '--today', '2027-02-01']);

  // The runs are spawned asynchronously: the SMTP server answering them lives in this process.
  const run = async (args: string[], status: number): Promise<void> => {
    const result = await runCli(['run', ...args, '--quiet', '--programme', dir]);
    assert.equal(result.status, status, result.stderr);
  };
  // Two weeks before the first days: every user is warned, on their own day minus 14.
  await run(['--clock-start', '2027-02-01', '--clock-speed', '3600', '--until', '2027-02-05'], 0);
  const warned = (await ledger()).filter((n) => n.kind === 'warning');
  assert.equal(warned.length, 5);
  for (const n of warned) {
    assert.equal(n.state, 'sent');
    assert.equal(n.sent_at!.slice(0, 10), daysBefore(n.day, 14), `${n.subject}: ${n.sent_at}`);
  }
  const first = sink.messages.find((m) => m.messageId === warned[0]!.message_id)!;
  assert.ok(first, 'the sink got the warning with the ledger’s Message-ID');
  assert.match(first.from, /moves@example\.org/);
  assert.deepEqual(first.to, [warned[0]!.subject]);
  const longDay = new Date(`${warned[0]!.day}T00:00:00Z`).toLocaleDateString('en-GB', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
  assert.ok(first.text.includes(longDay.replace(',', '')), `${longDay} in: ${first.text}`);
  assert.match(first.text, /Service desk/);

  // A re-plan without --force moves no told user: no rescheduled notice.
  sample.tranche(['plan', '--today', '2027-02-05', '--seed', '99'], [0, 1]);
  assert.equal((await ledger()).filter((n) => n.kind === 'rescheduled').length, 0);
  // Forced, with every day now too soon: each told user moves and is owed one rescheduled notice.
  sample.tranche(['plan', '--today', '2027-02-05', '--seed', '99', '--force']);

  // The runner is killed while the SMTP server holds the first rescheduled notice unanswered.
  const killed = await runCli(
    ['run', '--clock-start', '2027-02-05', '--clock-speed', '3600', '--quiet', '--programme', dir],
    {},
    (kill) => (onHold = kill),
  );
  assert.equal(killed.signal, 'SIGKILL');

  // One account is locked on the target: its move fails and its admins and the helpdesk are told.
  const locked = sample.mailboxes.find((m) => m.organisation === 'MAIN')!;
  await sample.target.disableUser(locked.target.user);
  await run(['--clock-start', '2027-02-05', '--clock-speed', '3600'], 1);

  const rows = await ledger();
  assert.deepEqual(
    rows.filter((n) => n.state !== 'sent' && n.state !== 'cancelled'),
    [],
    'every notice ended sent (or called off)',
  );
  // Nothing repeated: every accepted message has its own Message-ID.
  const ids = sink.messages.map((m) => m.messageId);
  assert.equal(new Set(ids).size, ids.length, 'no notice was delivered twice');

  for (const m of sample.mailboxes) {
    const mine = rows.filter((n) => n.subject === m.address && n.state === 'sent');
    const kinds = mine.map((n) => n.kind).sort();
    // The locked user's move fails at its pre-stage, before the reminder: no reminder, no success;
    // the failure notice (about them, to their admins and the helpdesk) instead.
    const expected =
      m === locked
        ? ['failure', 'rescheduled', 'warning']
        : ['reminder', 'rescheduled', 'success', 'warning'];
    assert.deepEqual(kinds, expected, m.address);
    const day = mine.find((n) => n.kind === 'rescheduled')!.day;
    assert.ok(day >= '2027-02-19', day);
    assert.equal(mine.find((n) => n.kind === 'rescheduled')!.sent_at!.slice(0, 10), '2027-02-05');
    if (m !== locked) {
      assert.equal(mine.find((n) => n.kind === 'reminder')!.sent_at!.slice(0, 10), daysBefore(day, 1));
      assert.equal(mine.find((n) => n.kind === 'success')!.sent_at!.slice(0, 10), day);
    }
    const received = (kind: string): ReceivedMessage[] =>
      sink.messages.filter((r) => r.messageId === mine.find((n) => n.kind === kind)?.message_id);
    for (const kind of kinds) assert.equal(received(kind).length, 1, `${m.address} ${kind}`);
  }
  const failure = rows.find((n) => n.kind === 'failure' && n.subject === locked.address)!;
  assert.equal(failure.state, 'sent');
  const told = sink.messages.find((r) => r.messageId === failure.message_id)!;
  assert.deepEqual([...told.to].sort(), ['help@example.org', 'it@main.example.org']);
  assert.match(told.text, /account disabled/i);
  assert.ok(rows.some((n) => n.kind === 'digest' && n.subject === 'org:MAIN' && n.state === 'sent'));
});

test('a template error stops the programme at load, naming the file and the variable', async () => {
  const { mkdirSync, writeFileSync, readFileSync } = await import('node:fs');
  const templates = join(dir, 'templates');
  mkdirSync(templates, { recursive: true });
  writeFileSync(join(templates, 'warning.subject'), 'Your move on {{dat}}');
  writeFileSync(join(templates, 'warning.txt'), 'Hello {{name}}');
  writeFileSync(join(templates, 'warning.html'), '<p>Hello {{name}}</p>');
  const yaml = join(dir, 'tranche.yaml');
  const original = readFileSync(yaml, 'utf8');
  writeFileSync(
    yaml,
    original.replace("  from: 'Mail move", "  templatesDir: templates\n  from: 'Mail move"),
  );
  try {
    const plan = await runCli(['plan', '--dry-run', '--programme', dir]);
    assert.equal(plan.status, 64);
    assert.match(plan.stderr, /warning\.subject/);
    assert.match(plan.stderr, /dat/);
  } finally {
    writeFileSync(yaml, original);
  }
});
