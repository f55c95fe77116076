// Day-to-day operations on both backends: their effect on the calendar, the planner, the audit trail
// and the notices (each rescheduled or cancelled notice once).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { silentLogger } from '../../log/logger.js';
import { withDefaults, type ProgrammeConfig } from '../../programme/config/config.js';
import { includeMailboxes, releaseMailboxes } from '../../programme/operations/bring-back.js';
import { closeDay, dayCapacity } from '../../programme/operations/day-operations.js';
import { pauseEndpoint, resumeEndpoint } from '../../programme/operations/endpoint-pause.js';
import { excludeMailboxes, holdMailboxes } from '../../programme/operations/hold-mailboxes.js';
import { moveMailboxes } from '../../programme/operations/move-mailboxes.js';
import type { OperationInput } from '../../programme/operations/operation.js';
import { holdOrganisations, moveOrganisation } from '../../programme/operations/organisation-operations.js';
import { OperationRefused } from '../../programme/operations/refusal.js';
import { retryMailboxes } from '../../programme/operations/retry-mailboxes.js';
import { planProgramme } from '../../programme/plan/plan-programme.js';
import { readAudit } from '../../state/audit/read-audit.js';
import { openStateStore } from '../../state/open-state-store.js';
import type { Database } from '../../state/schema.js';
import { startSmtpSink, type SmtpSink } from '../../testing/smtp-sink.js';
import { insertEndpoints } from '../../testing/state-rows.js';
import { storeBackends } from '../../testing/store-backends.js';
import { claimDue } from '../../runner/leases.js';
import { createSmtpChannel } from '../channels/smtp-channel.js';
import { loadNoticeTemplates } from '../templates/notice-templates.js';
import { queueCalendarNotices } from './queue-notices.js';
import { sendDueNotices, type NoticeSender } from './send-due-notices.js';

let sink: SmtpSink;
before(async () => {
  sink = await startSmtpSink({ onMessage: () => Promise.resolve('accept') });
});
after(async () => {
  await sink?.stop();
});

/** Monday 1 March 2027, 07:00: the programme clock of these tests. */
const NOW = new Date('2027-03-01T07:00:00Z');

function programme(): ProgrammeConfig {
  return withDefaults(
    {
      name: 'Mail move',
      schedule: { weekday: { mailboxes: 3 }, noticeDays: 7 },
      notices: {
        from: 'Mail move <moves@example.org>',
        helpdesk: { name: 'the Service Desk', address: 'help@example.org' },
        smtp: { url: sink.url },
      },
    },
    '/nowhere',
  );
}

type Row = {
  address: string;
  organisation: string;
  state?: 'scheduled' | 'failed' | 'done';
  day?: string;
  told?: string;
};
const ROWS: Row[] = [
  { address: 'ann@a.org', organisation: 'A', state: 'scheduled', day: '2027-03-15', told: '2027-03-15' },
  { address: 'abe@a.org', organisation: 'A', state: 'scheduled', day: '2027-03-15', told: '2027-03-15' },
  { address: 'amy@a.org', organisation: 'A', state: 'failed', day: '2027-03-03', told: '2027-03-03' },
  { address: 'ada@a.org', organisation: 'A', state: 'done', day: '2027-02-20', told: '2027-02-20' },
  { address: 'bea@b.org', organisation: 'B', state: 'scheduled', day: '2027-03-16' },
  { address: 'bo@b.org', organisation: 'B' },
  { address: 'al@a.org', organisation: 'A', state: 'scheduled', day: '2027-03-05' },
];

async function withProgramme(
  location: string,
  work: (input: OperationInput, db: Kysely<Database>, sender: NoticeSender) => Promise<void>,
) {
  const db = await openStateStore(location);
  const config = programme();
  const channel = createSmtpChannel(config.notices!);
  try {
    await insertEndpoints(db, ['old', 'new']);
    await db
      .insertInto('organisation')
      .values([
        { code: 'A', name: 'Trust A', blackout_dates: '' },
        { code: 'B', name: 'Trust B', blackout_dates: '2027-03-22' },
      ])
      .execute();
    for (const r of ROWS)
      await db
        .insertInto('mailbox')
        .values({
          address: r.address,
          organisation: r.organisation,
          source_endpoint: 'old',
          source_user: r.address,
          source_secret: null,
          target_endpoint: 'new',
          target_user: r.address,
          target_secret: null,
          notify_address: r.address,
          state: r.state ?? 'imported',
          batch_day: r.day ?? null,
          told_day: r.told ?? null,
          source_login: 'ok',
          target_login: 'ok',
          next_step: r.state === 'scheduled' ? 'prestage' : null,
          next_due_at: r.state === 'scheduled' ? `${r.day}T01:00:00.000Z` : null,
          failure_type: r.state === 'failed' ? 'quota' : null,
          failure_reason: r.state === 'failed' ? 'mailbox full' : null,
        })
        .execute();
    const input: OperationInput = {
      db,
      config,
      actor: 'pat',
      reason: 'asked by the trust',
      dryRun: false,
      force: false,
      now: NOW,
    };
    const sender: NoticeSender = {
      db,
      config,
      templates: loadNoticeTemplates(config.notices!),
      channel,
      logger: silentLogger(),
      owner: 'test:1:a',
    };
    await work(input, db, sender);
  } finally {
    await channel.close();
    await db.destroy();
  }
}

const row = (db: Kysely<Database>, address: string) =>
  db.selectFrom('mailbox').selectAll().where('address', '=', address).executeTakeFirstOrThrow();

const refused = async (work: Promise<unknown>, words: RegExp): Promise<OperationRefused> => {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof OperationRefused, String(error));
    assert.match(error.message, words);
    return error;
  }
  assert.fail(`not refused (${String(words)})`);
};

/** The notices sent to ADDRESS since FROM messages, by subject line. */
const sentTo = (address: string, from: number) =>
  sink.messages
    .slice(from)
    .filter((m) => m.to.includes(address))
    .map((m) => m.subject);

for (const [backend, location] of storeBackends()) {
  describe(`day-to-day operations on ${backend}`, () => {
    test('move pins to a day (kept by the planner over capacity), owes one rescheduled notice; all or nothing', async () => {
      await withProgramme(await location(), async (input, db, sender) => {
        // One unknown address among good ones: nothing changes, and every problem is named.
        const bad = await refused(
          moveMailboxes(input, ['ann@a.org', 'nobody@a.org', 'ada@a.org'], '2027-03-17'),
          /unknown mailbox nobody@a.org.*ada@a.org is done/,
        );
        assert.equal(bad.problems.length, 2);
        assert.equal((await row(db, 'ann@a.org')).batch_day, '2027-03-15');
        await refused(moveMailboxes(input, ['ann@a.org'], '2027-02-26'), /in the past/);
        await refused(moveMailboxes(input, ['bea@b.org'], '2027-03-22'), /blackout day of B/);
        // Bo was never told: a day inside the notice period needs --force, which names him.
        await refused(moveMailboxes(input, ['bo@b.org'], '2027-03-04'), /notice period.*bo@b.org.*--force/);
        const forced = await moveMailboxes(
          { ...input, force: true, dryRun: true },
          ['bo@b.org'],
          '2027-03-04',
        );
        assert.match(forced.warnings.join(), /short notice.*bo@b.org/);
        assert.equal((await row(db, 'bo@b.org')).batch_day, null, 'a dry run changes nothing');

        const moved = await moveMailboxes(input, ['ann@a.org', 'abe@a.org', 'bea@b.org'], '2027-03-17');
        assert.deepEqual(moved.summary.slice(0, 2), [
          '2 mailboxes move from 2027-03-15 to 2027-03-17',
          '1 mailbox move from 2027-03-16 to 2027-03-17',
        ]);
        assert.equal(moved.notices.rescheduled, 2);
        const ann = await row(db, 'ann@a.org');
        assert.deepEqual(
          [ann.batch_day, ann.pinned_day, ann.told_day, ann.rescheduled_from, ann.next_step],
          ['2027-03-17', '2027-03-17', null, '2027-03-15', 'prestage'],
        );
        // A capacity of 1 on that day: the planner keeps the three pins there and says so.
        await dayCapacity(input, '2027-03-17', 1, undefined);
        const plan = await planProgramme(db, input.config, {
          planDate: '2027-03-01',
          now: NOW,
          seed: 1,
          force: true,
          dryRun: false,
        });
        assert.equal(plan.plan.pinned, 3);
        const day = plan.plan.days.find((d) => d.day === '2027-03-17')!;
        assert.deepEqual([day.mailboxes, day.capacity, day.overCapacity], [3, 1, true]);
        assert.equal((await row(db, 'bea@b.org')).batch_day, '2027-03-17');
        // The rescheduled notice goes once, however often the calendar is looked at.
        const from = sink.messages.length;
        for (let i = 0; i < 2; i++) {
          await queueCalendarNotices(db, input.config, NOW);
          await sendDueNotices(sender, NOW);
        }
        assert.equal(sentTo('ann@a.org', from).length, 1);
        const trail = await readAudit(db, { subject: 'ann@a.org', limit: 10 });
        assert.deepEqual(
          trail.map((t) => [t.actor, t.action, t.reason, t.before?.day, t.after?.day]),
          [['pat', 'mailbox.move', 'asked by the trust', '2027-03-15', '2027-03-17']],
        );
      });
    });

    test('hold: no day, no step, pending notices cancelled with the reason; release plans again and tells again, once', async () => {
      await withProgramme(await location(), async (input, db, sender) => {
        await queueCalendarNotices(db, input.config, NOW); // Al's warning falls due (his day is within a week)
        const pendingBefore = await db
          .selectFrom('notice')
          .select(['subject', 'kind', 'state'])
          .where('subject', '=', 'al@a.org')
          .execute();
        assert.ok(pendingBefore.length > 0);
        await refused(holdMailboxes({ ...input, reason: undefined }, ['al@a.org']), /--reason is required/);
        const held = await holdMailboxes({ ...input, reason: 'consultant on leave' }, ['al@a.org']);
        assert.equal(held.notices.cancelled, pendingBefore.length);
        const al = await row(db, 'al@a.org');
        assert.deepEqual(
          [al.hold_reason, al.batch_day, al.next_step, al.state],
          ['consultant on leave', null, null, 'imported'],
        );
        const notices = await db
          .selectFrom('notice')
          .select(['state', 'error'])
          .where('subject', '=', 'al@a.org')
          .execute();
        assert.ok(notices.every((n) => n.state === 'cancelled' && n.error === 'held: consultant on leave'));
        // The runner claims nothing of a held mailbox, the planner gives it no day, no notice goes.
        const claimed = await claimDue(db, {
          now: new Date('2027-03-20T00:00:00Z'),
          limit: 10,
          leaseMs: 60_000,
          connectionsPerMailbox: 1,
          ownerFor: () => 'x',
        });
        assert.ok(!claimed.some((m) => m.address === 'al@a.org'));
        await planProgramme(db, input.config, {
          planDate: '2027-03-01',
          now: NOW,
          seed: 1,
          force: false,
          dryRun: false,
        });
        assert.equal((await row(db, 'al@a.org')).batch_day, null);
        const from = sink.messages.length;
        await queueCalendarNotices(db, input.config, NOW);
        await sendDueNotices(sender, NOW);
        assert.deepEqual(sentTo('al@a.org', from), []);
        // Released: back on the day he was told (still ahead, with room), and his cancelled warning goes, once.
        const released = await releaseMailboxes(input, ['al@a.org']);
        assert.deepEqual(released.summary, ['1 mailbox released', '1 mailbox planned on 2027-03-05']);
        const back = await row(db, 'al@a.org');
        assert.deepEqual(
          [back.hold_reason, back.batch_day, back.state, back.told_day, back.rescheduled_from],
          [null, '2027-03-05', 'scheduled', null, null],
        );
        for (let i = 0; i < 2; i++) {
          await queueCalendarNotices(db, input.config, NOW);
          await sendDueNotices(sender, NOW);
        }
        assert.equal(
          sentTo('al@a.org', from).length,
          1,
          'the cancelled warning is sent once after the release',
        );
        await refused(releaseMailboxes(input, ['al@a.org']), /is not held/);
        const trail = await readAudit(db, { subject: 'al@a.org', limit: 10 });
        assert.deepEqual(
          trail.map((t) => t.action),
          ['mailbox.release', 'mailbox.hold'],
        );
        assert.equal(trail[1]!.reason, 'consultant on leave');
      });
    });

    test('exclude and include; retry of a failed mailbox; org hold and move; closed days; endpoint pause', async () => {
      await withProgramme(await location(), async (input, db) => {
        await refused(retryMailboxes(input, ['ann@a.org']), /ann@a.org is scheduled, not failed/);
        // Amy's day (the 3rd) is still ahead with room: she goes again on it.
        const retried = await retryMailboxes(input, ['amy@a.org']);
        assert.deepEqual(retried.summary, ['1 mailbox planned on 2027-03-03']);
        const amy = await row(db, 'amy@a.org');
        assert.deepEqual(
          [amy.state, amy.batch_day, amy.failure_type, amy.next_step],
          ['scheduled', '2027-03-03', null, 'prestage'],
        );

        await excludeMailboxes({ ...input, reason: 'a leaver' }, ['bo@b.org']);
        let plan = await planProgramme(db, input.config, {
          planDate: '2027-03-01',
          now: NOW,
          seed: 1,
          force: false,
          dryRun: false,
        });
        assert.equal(
          (await row(db, 'bo@b.org')).batch_day,
          null,
          'the planner leaves an excluded mailbox alone',
        );
        await includeMailboxes(input, ['bo@b.org']);
        assert.equal((await row(db, 'bo@b.org')).exclude_reason, null);
        assert.ok((await row(db, 'bo@b.org')).batch_day! >= '2027-03-08', 'planned after the notice period');

        // A closed day takes nobody more: a move there is refused, the planner skips it.
        await closeDay(input, '2027-03-18');
        await refused(moveOrganisation(input, 'B', '2027-03-18'), /2027-03-18 is closed/);
        plan = await planProgramme(db, input.config, {
          planDate: '2027-03-01',
          now: NOW,
          seed: 1,
          force: true,
          dryRun: true,
        });
        assert.equal(plan.plan.days.find((d) => d.day === '2027-03-18')?.mailboxes ?? 0, 0);

        const moved = await moveOrganisation(input, 'B', '2027-03-19');
        assert.deepEqual(moved.subjects.sort(), ['bea@b.org', 'bo@b.org']);
        await refused(
          moveOrganisation({ ...input, organisations: ['A'] }, 'B', '2027-03-19'),
          /B is not one of your organisations/,
        );
        const held = await holdOrganisations({ ...input, reason: 'trust asks to wait' }, ['A']);
        // Ada is done: the organisation's others are held.
        assert.deepEqual(held.subjects.sort(), ['abe@a.org', 'al@a.org', 'amy@a.org', 'ann@a.org']);
        const orgTrail = await readAudit(db, { organisation: 'A', limit: 100 });
        assert.equal(orgTrail.filter((t) => t.action === 'org.hold').length, 4);

        await pauseEndpoint({ ...input, reason: 'source struggling' }, 'old', false);
        const claimed = await claimDue(db, {
          now: new Date('2027-03-30T00:00:00Z'),
          limit: 10,
          leaseMs: 60_000,
          connectionsPerMailbox: 1,
          ownerFor: () => 'x',
        });
        assert.deepEqual(claimed, [], 'no step starts against a paused server');
        await resumeEndpoint(input, 'old');
        const after = await claimDue(db, {
          now: new Date('2027-03-30T00:00:00Z'),
          limit: 10,
          leaseMs: 60_000,
          connectionsPerMailbox: 1,
          ownerFor: () => 'x',
        });
        assert.deepEqual(after.map((m) => m.address).sort(), ['bea@b.org', 'bo@b.org']);
        const endpointTrail = await readAudit(db, { subject: 'old', limit: 10 });
        assert.deepEqual(
          endpointTrail.map((t) => [t.action, t.actor]),
          [
            ['endpoint.resume', 'pat'],
            ['endpoint.pause', 'pat'],
          ],
        );
      });
    });
  });
}
