import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openStateStore } from '../state/open-state-store.js';
import { damageMessage } from '../testing/maildir-damage.js';
import { buildSampleProgramme, type SampleProgramme } from '../testing/sample-programme.js';
import { startSmtpSink, type SmtpSink } from '../testing/smtp-sink.js';
import { runCli, tempStatePath } from '../testing/sync-fixture.js';

let sink: SmtpSink;
let sample: SampleProgramme;
let dir: string;

before(async () => {
  sink = await startSmtpSink();
  dir = join(tempStatePath().replace(/\/state\.sqlite$/, ''), 'programme');
  sample = await buildSampleProgramme({
    dir,
    organisations: [{ code: 'ORG', name: 'Org', pilot: false, mailboxes: 2 }],
    messages: () => 30,
    sourceMail: 'maildir-fs',
    config: `
schedule:
  weekday: { mailboxes: 2 }
  weekend: { mailboxes: 2 }
  noticeDays: 1
  seed: 3
lifecycle:
  prestageDays: 1
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

test('tranche run: a mailbox with a damaged message ends done with a skipped item, named everywhere, and its user is told', async () => {
  const [damaged, whole] = sample.mailboxes as [(typeof sample.mailboxes)[0], (typeof sample.mailboxes)[0]];
  await damageMessage(sample.source, damaged.source, 'INBOX', 3, 'truncate');
  sample.tranche(['import', 'orgs', sample.organisationsCsv]);
  sample.tranche(['import', 'mailboxes', sample.mailboxesCsv]);
  sample.tranche(['discover']);
  sample.tranche(['plan', '--today', '2027-02-01']);
  const run = await runCli([
    'run',
    '--clock-start',
    '2027-02-01',
    '--clock-speed',
    '20000',
    '--quiet',
    '--programme',
    dir,
  ]);
  assert.equal(run.status, 0, run.stderr);

  const db = await openStateStore(join(dir, 'state.sqlite'));
  try {
    const rows = await db.selectFrom('mailbox').select(['address', 'state']).orderBy('address').execute();
    assert.deepEqual(
      rows.map((r) => [r.address, r.state]),
      [
        [damaged.address, 'done'],
        [whole.address, 'done'],
      ],
    );
    const items = await db.selectFrom('skipped_item').select(['mailbox', 'kind', 'folder', 'uid']).execute();
    assert.deepEqual(
      items.map((i) => [i.mailbox, i.kind, i.folder, Number(i.uid)]),
      [[damaged.address, 'unreadable-at-source', 'INBOX', 3]],
    );
    const passes = await db
      .selectFrom('pass')
      .select(['mailbox', 'outcome'])
      .where('mailbox', '=', damaged.address)
      .execute();
    assert.ok(passes.length > 0 && passes.every((p) => p.outcome === 'partial'), JSON.stringify(passes));
  } finally {
    await db.destroy();
  }

  const detail = sample.tranche(['status', damaged.address]);
  assert.match(detail, /state {7}done with 1 skipped item;/);
  assert.match(detail, /INBOX .* unreadable-at-source .*could not give this message/);
  assert.match(sample.tranche(['status']), /^moved {7}1 whole, 1 with skipped items$/m);

  const success = (address: string) =>
    sink.messages.find((m) => m.to.includes(address) && /is ready/.test(m.subject));
  assert.match(success(damaged.address)?.text ?? 'no success notice', /Some items could not be moved: 1 /);
  assert.doesNotMatch(success(whole.address)?.text ?? 'no success notice', /could not be moved/);
});
