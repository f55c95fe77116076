import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { silentLogger } from '../../log/logger.js';
import { withDefaults, type ProgrammeConfig } from '../../programme/config/config.js';
import { openStateStore } from '../../state/open-state-store.js';
import type { Database } from '../../state/schema.js';
import { startSmtpSink, type SinkVerdict, type SmtpSink } from '../../testing/smtp-sink.js';
import { storeBackends } from '../../testing/store-backends.js';
import { createSmtpChannel } from '../channels/smtp-channel.js';
import { loadNoticeTemplates } from '../templates/notice-templates.js';
import { queueCalendarNotices, queueDigests, queueNotice } from './queue-notices.js';
import { sendDueNotices, type NoticeSender } from './send-due-notices.js';
import { insertEndpoints } from '../../testing/state-rows.js';

let sink: SmtpSink;
let verdict: SinkVerdict = 'accept';
before(async () => {
  sink = await startSmtpSink({ onMessage: () => Promise.resolve(verdict) });
});
after(async () => {
  await sink?.stop();
});

const NOW = new Date('2027-01-04T07:00:00Z');

function programme(): ProgrammeConfig {
  return withDefaults(
    {
      name: 'Mail move',
      notices: {
        from: 'Mail move <moves@example.org>',
        helpdesk: { name: 'the Service Desk', address: 'help@example.org' },
        smtp: { url: sink.url },
      },
    },
    '/nowhere',
  );
}

async function withSender(
  location: string,
  work: (db: Kysely<Database>, sender: NoticeSender) => Promise<void>,
) {
  const db = await openStateStore(location);
  const config = programme();
  const channel = createSmtpChannel(config.notices!);
  try {
    await insertEndpoints(db, ['e'], {
      url: 'imap://127.0.0.1:1',
      allow_plaintext: 1,
      admin: null,
      max_connections: 2,
      max_mailboxes: 1,
    });
    for (const [address, day] of [
      ['ann@a.org', '2027-01-18'],
      ['bob@a.org', '2027-01-18'],
      ['cy@a.org', '2027-01-19'],
    ] as const) {
      await db
        .insertInto('mailbox')
        .values({
          address,
          organisation: null,
          source_endpoint: 'e',
          source_user: address,
          source_secret: null,
          target_endpoint: 'e',
          target_user: address,
          target_secret: null,
          notify_address: address,
          state: 'scheduled',
          batch_day: day,
          told_day: day,
        })
        .execute();
    }
    await work(db, {
      db,
      config,
      templates: loadNoticeTemplates(config.notices!),
      channel,
      logger: silentLogger(),
      owner: 'test:1:a',
    });
  } finally {
    await channel.close();
    await db.destroy();
  }
}

for (const [backend, location] of storeBackends()) {
  describe(`the notice ledger on ${backend}`, () => {
    test('sends each notice once; a moved or removed user gets nothing; a 4xx is retried later', async () => {
      await withSender(await location(), async (db, sender) => {
        const before = sink.messages.length;
        for (const subject of ['ann@a.org', 'bob@a.org', 'cy@a.org']) {
          const day = subject === 'cy@a.org' ? '2027-01-19' : '2027-01-18';
          await queueNotice(db, { subject, kind: 'warning', day, organisation: null }, NOW);
          await queueNotice(db, { subject, kind: 'warning', day, organisation: null }, NOW);
        }
        // Bob is moved to another day and Cy is removed before the warning goes.
        await db
          .updateTable('mailbox')
          .set({ batch_day: '2027-01-25' })
          .where('address', '=', 'bob@a.org')
          .execute();
        await db.deleteFrom('mailbox').where('address', '=', 'cy@a.org').execute();
        assert.deepEqual(await sendDueNotices(sender, NOW), { sent: 1, retry: 0, failed: 0, cancelled: 2 });
        assert.deepEqual(await sendDueNotices(sender, NOW), { sent: 0, retry: 0, failed: 0, cancelled: 0 });
        const got = sink.messages.slice(before);
        assert.deepEqual(
          got.map((m) => m.to),
          [['ann@a.org']],
        );
        const rows = await db
          .selectFrom('notice')
          .select(['subject', 'state', 'error'])
          .orderBy('subject')
          .execute();
        assert.deepEqual(
          rows.map((r) => [r.subject, r.state]),
          [
            ['ann@a.org', 'sent'],
            ['bob@a.org', 'cancelled'],
            ['cy@a.org', 'cancelled'],
          ],
        );
        assert.match(rows[1]!.error ?? '', /day changed/);
        assert.match(rows[2]!.error ?? '', /no longer in the programme/);

        // The server says "try later": the reminder waits, then goes once.
        await queueNotice(
          db,
          { subject: 'ann@a.org', kind: 'reminder', day: '2027-01-18', organisation: null },
          NOW,
        );
        verdict = 'reject-temporary';
        assert.deepEqual(await sendDueNotices(sender, NOW), { sent: 0, retry: 1, failed: 0, cancelled: 0 });
        verdict = 'accept';
        assert.deepEqual(
          await sendDueNotices(sender, NOW),
          { sent: 0, retry: 0, failed: 0, cancelled: 0 },
          'not due yet',
        );
        const later = new Date(NOW.getTime() + 10 * 60_000);
        assert.deepEqual(await sendDueNotices(sender, later), { sent: 1, retry: 0, failed: 0, cancelled: 0 });
      });
    });

    test('queues warnings, reminders, rescheduled notices and digests at the send time, each once', async () => {
      await withSender(await location(), async (db, sender) => {
        await db.insertInto('organisation').values({ code: 'A', name: 'A' }).execute();
        await db.updateTable('mailbox').set({ organisation: 'A', told_day: null }).execute();
        await db
          .updateTable('mailbox')
          .set({ rescheduled_from: '2027-01-11', told_day: null })
          .where('address', '=', 'cy@a.org')
          .execute();
        const { config } = sender;
        // 06:59 on 4 January: before the send time, so the 18 January warnings are not due yet.
        assert.equal(await queueCalendarNotices(db, config, new Date('2027-01-04T06:59:00Z')), 1);
        let rows = await db
          .selectFrom('notice')
          .select(['subject', 'kind', 'day'])
          .orderBy('subject')
          .execute();
        assert.deepEqual(
          rows.map((r) => [r.subject, r.kind, r.day]),
          [['cy@a.org', 'rescheduled', '2027-01-19']],
        );
        assert.equal(await queueCalendarNotices(db, config, NOW), 2);
        assert.equal(await queueCalendarNotices(db, config, NOW), 0, 'told once');
        await queueCalendarNotices(db, config, new Date('2027-01-17T07:00:00Z'));
        await queueDigests(db, config, new Date('2027-01-17T07:00:00Z'));
        await queueDigests(db, config, new Date('2027-01-17T08:00:00Z'));
        rows = await db
          .selectFrom('notice')
          .select(['subject', 'kind', 'day'])
          .orderBy('kind')
          .orderBy('subject')
          .execute();
        assert.deepEqual(
          rows.map((r) => `${r.kind} ${r.subject} ${r.day}`),
          [
            'digest org:A 2027-01-17',
            'reminder ann@a.org 2027-01-18',
            'reminder bob@a.org 2027-01-18',
            'rescheduled cy@a.org 2027-01-19',
            'warning ann@a.org 2027-01-18',
            'warning bob@a.org 2027-01-18',
          ],
        );
        const told = await db
          .selectFrom('mailbox')
          .select(['address', 'told_day', 'rescheduled_from'])
          .orderBy('address')
          .execute();
        assert.deepEqual(
          told.map((m) => [m.told_day, m.rescheduled_from]),
          [
            ['2027-01-18', null],
            ['2027-01-18', null],
            ['2027-01-19', null],
          ],
        );
      });
    });
  });
}
