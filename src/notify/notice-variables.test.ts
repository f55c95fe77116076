import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Insertable, Kysely } from 'kysely';
import { TrancheError } from '../errors/tranche-error.js';
import { withDefaults } from '../programme/config/config.js';
import { openStateStore } from '../state/open-state-store.js';
import type { Database, MailboxTable } from '../state/schema.js';
import { storeBackends } from '../testing/store-backends.js';
import { digestVariables, formatNoticeDate, mailboxNoticeVariables } from './notice-variables.js';
import { checkTemplateOrganisations } from './templates/check-template-organisations.js';
import { NoticeTemplates } from './templates/notice-templates.js';
import { insertEndpoints } from '../testing/state-rows.js';

const SECRETS = ['src-secret-51aa', 'tgt-secret-0c3e'];
const config = withDefaults(
  {
    name: 'National Mail Move',
    lifecycle: { cutoverTime: '19:30' },
    notices: {
      from: 'Mail move <moves@example.org>',
      helpdesk: { name: 'the Service Desk', address: 'help@example.org' },
      smtp: { url: 'smtp://127.0.0.1:2525' },
    },
  },
  '/nowhere',
);

// The digest of Tuesday 19 January 2027 looks back at Monday the 18th and ahead to the 25th.
type Mailbox = Partial<Insertable<MailboxTable>> & { address: string };
const MAILBOXES: Mailbox[] = [
  {
    address: 'ann@a.org',
    organisation: 'A',
    display_name: 'Ann Smith',
    target_user: 'ann.smith@new.example.org',
    notify_address: 'ann.home@example.net',
    state: 'prestaged',
    batch_day: '2027-01-22',
    rescheduled_from: '2027-01-20',
  },
  // Done on the 18th (the first two) and on the 17th (not in the digest).
  {
    address: 'zed@a.org',
    organisation: 'A',
    state: 'done',
    batch_day: '2027-01-18',
    done_at: '2027-01-18T19:40:00.000Z',
  },
  {
    address: 'bob@a.org',
    organisation: 'A',
    state: 'done',
    batch_day: '2027-01-18',
    done_at: '2027-01-18T23:59:59.999Z',
  },
  {
    address: 'old@a.org',
    organisation: 'A',
    state: 'done',
    batch_day: '2027-01-17',
    done_at: '2027-01-17T20:00:00.000Z',
  },
  // Failed: its last pass finished on the 18th; the other's on the 19th (after midnight).
  {
    address: 'cat@a.org',
    organisation: 'A',
    state: 'failed',
    batch_day: '2027-01-18',
    target_user: 'cat',
    failure_type: 'auth',
    failure_reason: 'target: AUTHENTICATE failed',
  },
  {
    address: 'dee@a.org',
    organisation: 'A',
    state: 'failed',
    batch_day: '2027-01-18',
    failure_type: 'quota',
  },
  // Upcoming: the digest's day and six after it, not the seventh; and another organisation's.
  { address: 'eve@a.org', organisation: 'A', state: 'scheduled', batch_day: '2027-01-25' },
  { address: 'fay@a.org', organisation: 'A', state: 'cutover', batch_day: '2027-01-19' },
  { address: 'gus@a.org', organisation: 'A', state: 'scheduled', batch_day: '2027-01-26' },
  { address: 'hal@b.org', organisation: 'B', state: 'scheduled', batch_day: '2027-01-20' },
  { address: 'ivy@none.org', organisation: null, state: 'imported' },
];

async function seed(db: Kysely<Database>): Promise<void> {
  await insertEndpoints(db, ['old', 'new']);
  await db
    .insertInto('organisation')
    .values([
      { code: 'A', name: 'Trust A', admin_contacts: 'it@a.org', pilot: 0, blackout_dates: '' },
      { code: 'B', name: 'Trust B', admin_contacts: '', pilot: 0, blackout_dates: '' },
    ])
    .execute();
  for (const m of MAILBOXES)
    await db
      .insertInto('mailbox')
      .values({
        source_endpoint: 'old',
        source_user: m.address.split('@')[0]!,
        source_secret: SECRETS[0]!,
        target_endpoint: 'new',
        target_user: m.address,
        target_secret: SECRETS[1]!,
        notify_address: m.address,
        ...m,
      })
      .execute();
  const passes = [
    ['cat@a.org', '2027-01-17T19:30:00.000Z', '2027-01-17T20:00:00.000Z'],
    ['cat@a.org', '2027-01-18T19:30:00.000Z', '2027-01-18T19:31:00.000Z'],
    ['dee@a.org', '2027-01-18T19:30:00.000Z', '2027-01-18T21:00:00.000Z'],
    ['dee@a.org', '2027-01-18T23:50:00.000Z', '2027-01-19T00:10:00.000Z'],
  ];
  for (const [i, [mailbox, started, finished]] of passes.entries())
    await db
      .insertInto('pass')
      .values({
        id: `p${i}`,
        mailbox: mailbox!,
        kind: 'final',
        worker: 'w1',
        started_at: started!,
        finished_at: finished!,
        outcome: 'failed',
      })
      .execute();
}

const usage = (pattern: RegExp) => (error: unknown) =>
  error instanceof TrancheError && error.type === 'usage' && pattern.test(error.message);

test('dates as people read them', () => {
  assert.equal(formatNoticeDate('2027-01-18'), 'Monday 18 January 2027');
  assert.equal(formatNoticeDate('2027-03-07'), 'Sunday 7 March 2027');
});

for (const [backend, location] of storeBackends()) {
  describe(`notice variables on ${backend}`, () => {
    test('a mailbox notice: the row, its organisation and the configuration; secrets never read', async () => {
      const db = await openStateStore(await location());
      try {
        await seed(db);
        const warning = await mailboxNoticeVariables(db, config, 'Ann@A.org', 'warning');
        assert.deepEqual(warning, {
          programme: 'National Mail Move',
          organisation: 'Trust A',
          organisationCode: 'A',
          helpdeskName: 'the Service Desk',
          helpdeskAddress: 'help@example.org',
          helpdeskPhone: '',
          name: 'Ann Smith',
          oldAddress: 'ann.home@example.net',
          newAddress: 'ann.smith@new.example.org',
          date: 'Friday 22 January 2027',
          isoDate: '2027-01-22',
          cutoverTime: '19:30 UTC',
        });
        const rescheduled = await mailboxNoticeVariables(db, config, 'ann@a.org', 'rescheduled');
        assert.equal(rescheduled.previousDate, 'Wednesday 20 January 2027');
        const given = await mailboxNoticeVariables(db, config, 'ann@a.org', 'rescheduled', {
          previousDay: '2027-01-21',
        });
        assert.equal(given.previousDate, 'Thursday 21 January 2027');

        // No display name: the local part; a target login that is no address: the mailbox's.
        const failure = await mailboxNoticeVariables(db, config, 'cat@a.org', 'failure');
        assert.equal(failure.name, 'cat');
        assert.equal(failure.newAddress, 'cat@a.org');
        assert.equal(failure.reason, 'login refused: target: AUTHENTICATE failed');
        assert.equal(
          (await mailboxNoticeVariables(db, config, 'dee@a.org', 'failure')).reason,
          'target mailbox full',
        );
        assert.equal(
          (await mailboxNoticeVariables(db, config, 'ann@a.org', 'failure')).reason,
          'no reason recorded',
        );

        const orphan = await mailboxNoticeVariables(db, config, 'ivy@none.org', 'success');
        assert.equal(orphan.organisation, '');
        assert.equal(orphan.date, '');

        for (const v of [warning, rescheduled, failure])
          for (const secret of SECRETS) assert.ok(!JSON.stringify(v).includes(secret));
        await assert.rejects(
          mailboxNoticeVariables(db, config, 'nobody@a.org', 'warning'),
          usage(/no mailbox nobody@a\.org in this programme/),
        );
      } finally {
        await db.destroy();
      }
    });

    test("an organisation's digest: moved and failed the day before, upcoming for a week", async () => {
      const db = await openStateStore(await location());
      try {
        await seed(db);
        const digest = await digestVariables(db, config, 'A', '2027-01-19');
        assert.equal(digest.organisation, 'Trust A');
        assert.equal(digest.digestDate, 'Tuesday 19 January 2027');
        assert.deepEqual(digest.moved, [
          { address: 'bob@a.org', name: 'bob', day: 'Monday 18 January 2027', reason: '' },
          { address: 'zed@a.org', name: 'zed', day: 'Monday 18 January 2027', reason: '' },
        ]);
        assert.deepEqual(digest.failed, [
          {
            address: 'cat@a.org',
            name: 'cat',
            day: 'Monday 18 January 2027',
            reason: 'login refused: target: AUTHENTICATE failed',
          },
        ]);
        assert.deepEqual(
          digest.upcoming?.map((e) => [e.address, e.day]),
          [
            ['fay@a.org', 'Tuesday 19 January 2027'],
            ['ann@a.org', 'Friday 22 January 2027'],
            ['eve@a.org', 'Monday 25 January 2027'],
          ],
        );
        const next = await digestVariables(db, config, 'A', '2027-01-20');
        assert.deepEqual(
          next.failed?.map((e) => e.address),
          ['dee@a.org'],
        );
        assert.deepEqual(next.moved, []);
        await assert.rejects(
          digestVariables(db, config, 'Q', '2027-01-19'),
          usage(/no organisation Q in this programme/),
        );
        await assert.rejects(digestVariables(db, config, 'A', '2027-1-19'), usage(/must be a date/));
      } finally {
        await db.destroy();
      }
    });

    test('template folders named after no organisation are refused', async () => {
      const db = await openStateStore(await location());
      try {
        await seed(db);
        const template = { subject: 's', text: 't', html: 'h' };
        const known = new NoticeTemplates('/t', {}, new Map([['A', { warning: template }]]));
        await checkTemplateOrganisations(db, known);
        const typo = new NoticeTemplates(
          '/t',
          {},
          new Map([
            ['A', {}],
            ['a', { warning: template }],
            ['C', {}],
          ]),
        );
        await assert.rejects(
          checkTemplateOrganisations(db, typo),
          usage(/^templates for an organisation not in this programme: \/t\/C\/, \/t\/a\/ \(/),
        );
      } finally {
        await db.destroy();
      }
    });
  });
}
