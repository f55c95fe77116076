import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Insertable, Kysely } from 'kysely';
import { EXIT } from '../cli/exit-codes.js';
import { openStateStore } from '../state/open-state-store.js';
import type { Database, MailboxTable, PassTable } from '../state/schema.js';
import { storeBackends } from '../testing/store-backends.js';
import { runCli, tempStatePath } from '../testing/sync-fixture.js';
import { withDefaults } from '../programme/config/config.js';
import { dayCalendar } from './day-calendar.js';
import { dayMailboxes } from './day-mailboxes.js';
import { mailboxDetail } from './mailbox-detail.js';
import { organisationSummary, organisationTable } from './organisation-summary.js';
import { programmeNow } from './programme-now.js';
import { programmeSummary } from './programme-summary.js';
import { insertEndpoints } from '../testing/state-rows.js';

const SECRETS = ['src-secret-3b9e', 'tgt-secret-77d0', 'admin-secret-c41a'];
// Thursday, 4 March 2027, noon: the programme clock of every figure below.
const NOW = new Date('2027-03-04T12:00:00.000Z');
const config = withDefaults(
  {
    name: 'Test programme',
    schedule: {
      weekday: { mailboxes: 4, bytes: 2_000_000 },
      weekend: { mailboxes: 2 },
      blackoutDates: ['2027-03-03'],
    },
  },
  '/nowhere',
);

type Mailbox = Partial<Insertable<MailboxTable>> & { address: string };
const MAILBOXES: Mailbox[] = [
  // Done more than a week ago: counted done, but not in the last 7 days' throughput.
  {
    address: 'a6@a.org',
    organisation: 'A',
    state: 'done',
    batch_day: '2027-02-24',
    done_at: '2027-02-24T19:00:00.000Z',
  },
  {
    address: 'a1@a.org',
    organisation: 'A',
    state: 'done',
    batch_day: '2027-03-01',
    done_at: '2027-03-01T18:30:00.000Z',
  },
  {
    address: 'a2@a.org',
    organisation: 'A',
    state: 'done',
    batch_day: '2027-03-01',
    done_at: '2027-03-01T19:00:00.000Z',
  },
  {
    address: 'b3@b.org',
    organisation: 'B',
    state: 'done',
    batch_day: '2027-03-02',
    done_at: '2027-03-02T20:00:00.000Z',
  },
  {
    address: 'a3@a.org',
    organisation: 'A',
    state: 'failed',
    batch_day: '2027-03-02',
    failure_type: 'auth',
    failure_reason: 'AUTHENTICATE failed',
  },
  {
    address: 'b1@b.org',
    organisation: 'B',
    state: 'failed',
    batch_day: '2027-03-02',
    failure_type: 'auth',
    failure_reason: 'AUTHENTICATE failed',
  },
  {
    address: 'b2@b.org',
    organisation: 'B',
    state: 'failed',
    batch_day: '2027-03-04',
    failure_type: 'quota',
    failure_reason: 'Quota exceeded',
  },
  {
    address: 'a4@a.org',
    organisation: 'A',
    state: 'cutover',
    batch_day: '2027-03-04',
    next_step: 'final',
    next_due_at: '2027-03-04T11:50:00.000Z',
    lease_owner: 'w1',
    lease_until: '2027-03-04T12:30:00.000Z',
    size_bytes: 5000,
  },
  {
    address: 'a5@a.org',
    organisation: 'A',
    display_name: 'Alice Five',
    state: 'prestaged',
    batch_day: '2027-03-06',
    told_day: '2027-02-20',
    rescheduled_from: '2027-03-05',
    next_step: 'delta',
    next_due_at: '2027-03-05T01:00:00.000Z',
    attempts: 1,
    failure_type: 'connection-lost',
    failure_reason: 'connection reset by peer',
    last_pass_at: '2027-03-03T13:00:00.000Z',
    copied_messages: 200,
    copied_bytes: 20000,
    folder_count: 3,
    message_count: 201,
    size_bytes: 30020000,
  },
  { address: 'b4@b.org', organisation: 'B', state: 'scheduled', batch_day: '2027-03-08', size_bytes: 7000 },
  { address: 'c1@c.org', organisation: null, state: 'imported', size_bytes: 1000 },
];

type Pass = Omit<Insertable<PassTable>, 'id' | 'worker'>;
const PASSES: Pass[] = [
  // The programme's first pass: a week and more before NOW, outside both windows.
  {
    mailbox: 'a6@a.org',
    kind: 'prestage',
    started_at: '2027-02-21T01:00:00.000Z',
    finished_at: '2027-02-21T01:10:00.000Z',
    outcome: 'ok',
    messages: 50,
    bytes: 500,
  },
  // In the last 24 hours.
  {
    mailbox: 'a5@a.org',
    kind: 'prestage',
    started_at: '2027-03-03T01:00:00.000Z',
    finished_at: '2027-03-03T13:00:00.000Z',
    outcome: 'partial',
    messages: 200,
    bytes: 20000,
    skipped: 1,
  },
  {
    mailbox: 'b2@b.org',
    kind: 'final',
    started_at: '2027-03-04T00:00:00.000Z',
    finished_at: '2027-03-04T00:10:00.000Z',
    outcome: 'failed',
    messages: 10,
    bytes: 1000,
    error_type: 'quota',
    error_reason: 'Quota exceeded',
  },
  {
    mailbox: 'a4@a.org',
    kind: 'delta',
    started_at: '2027-03-04T01:00:00.000Z',
    finished_at: '2027-03-04T01:30:00.000Z',
    outcome: 'ok',
    messages: 40,
    bytes: 4000,
  },
  // Running, and (for a NOW in the past) finished after NOW: neither counts.
  { mailbox: 'a4@a.org', kind: 'final', started_at: '2027-03-04T11:55:00.000Z', finished_at: null },
  {
    mailbox: 'a5@a.org',
    kind: 'delta',
    started_at: '2027-03-04T12:30:00.000Z',
    finished_at: '2027-03-04T13:00:00.000Z',
    outcome: 'failed',
    error_type: 'connection-lost',
    error_reason: 'connection reset by peer',
  },
];

/** A programme with every state, two failure types and several days, written row by row. */
async function seed(db: Kysely<Database>): Promise<void> {
  await insertEndpoints(db, ['old', 'new'], { admin_secret: SECRETS[2]! });
  await db
    .insertInto('organisation')
    .values([
      { code: 'A', name: 'Trust A', admin_contacts: 'it@a.org;ops@a.org', pilot: 1, blackout_dates: '' },
      { code: 'B', name: 'Trust B', admin_contacts: '', pilot: 0, blackout_dates: '2027-03-08' },
      { code: 'Z', name: 'Empty', admin_contacts: '', pilot: 0, blackout_dates: '' },
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
  // One row at a time, so each omitted column takes its default (SQLite has no DEFAULT in VALUES).
  for (const [i, p] of PASSES.entries())
    await db
      .insertInto('pass')
      .values({ id: `p${i}`, worker: 'w1', ...p })
      .execute();
  await db
    .insertInto('skipped_item')
    .values({
      mailbox: 'a5@a.org',
      folder: 'INBOX',
      uid: 17,
      size: 30_000_000,
      reason: 'message too large',
      recorded_at: '2027-03-03T12:59:00.000Z',
    })
    .execute();
}

const noSecret = (data: unknown): void => {
  const text = JSON.stringify(data);
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `${secret} in ${text}`);
};

for (const [backend, location] of storeBackends()) {
  describe(`status reports on ${backend}`, () => {
    test('the programme: counts by state, success rate, failures by type, throughput and ETA', async () => {
      const db = await openStateStore(await location());
      try {
        await seed(db);
        const s = await programmeSummary(db, config, NOW);
        noSecret(s);
        assert.equal(s.programme, 'Test programme');
        assert.equal(s.now, NOW.toISOString());
        assert.equal(s.mailboxes, 11);
        assert.deepEqual(s.states, {
          imported: 1,
          scheduled: 1,
          prestaged: 1,
          cutover: 1,
          done: 4,
          failed: 3,
        });
        assert.equal(s.successRate, 4 / 7);
        assert.deepEqual(s.failures, [
          {
            type: 'auth',
            label: 'login refused',
            count: 2,
            reasons: [{ reason: 'AUTHENTICATE failed', count: 2 }],
            examples: ['a3@a.org', 'b1@b.org'],
          },
          {
            type: 'quota',
            label: 'target mailbox full',
            count: 1,
            reasons: [{ reason: 'Quota exceeded', count: 1 }],
            examples: ['b2@b.org'],
          },
        ]);
        assert.deepEqual(s.copied, {
          messages: 200,
          bytes: 20000,
          calendarItems: 0,
          contacts: 0,
          skippedItems: 1,
        });
        assert.deepEqual(s.throughput, {
          mailboxesPerDay: 3 / 7,
          doneInWindow: 3,
          windowDays: 7,
          messagesPerHour: 250 / 24,
          bytesPerHour: 25000 / 24,
          windowHours: 24,
        });
        assert.deepEqual(s.eta, {
          mailboxesLeft: 4,
          bytesLeft: 5000 + 30020000 + 7000 + 1000,
          unplanned: 1,
          calendarEnd: '2027-03-08',
          daysLeft: 4,
          // 4 left at 3/7 a day: 10 days.
          atCurrentPace: '2027-03-14',
        });
      } finally {
        await db.destroy();
      }
    });

    test('a young programme is measured over its own age; "now" defaults to the latest finished pass', async () => {
      const db = await openStateStore(await location());
      try {
        await seed(db);
        assert.equal(
          (await programmeNow(db, new Date('2026-01-01T00:00:00Z'))).toISOString(),
          '2027-03-04T13:00:00.000Z',
        );
        const later = new Date('2030-01-01T00:00:00Z');
        assert.equal((await programmeNow(db, later)).getTime(), later.getTime());
        // Two days after the first pass began: the done window is two days; two hours after, the copy window two hours.
        const early = await programmeSummary(db, config, new Date('2027-02-23T01:00:00.000Z'));
        assert.equal(early.throughput.windowDays, 2);
        assert.equal(early.throughput.mailboxesPerDay, 0);
        const first = await programmeSummary(db, config, new Date('2027-02-21T03:00:00.000Z'));
        assert.equal(first.throughput.windowHours, 2);
        assert.equal(first.throughput.messagesPerHour, 25);
        // Before any pass: no rate at all.
        const before = await programmeSummary(db, config, new Date('2027-02-01T00:00:00.000Z'));
        assert.deepEqual(
          [before.throughput.mailboxesPerDay, before.throughput.messagesPerHour],
          [null, null],
        );
        const empty = await openStateStore(await location());
        try {
          const none = await programmeSummary(empty, config, NOW);
          assert.deepEqual(
            [none.mailboxes, none.successRate, none.throughput.mailboxesPerDay],
            [0, null, null],
          );
          assert.deepEqual([none.eta.calendarEnd, none.eta.atCurrentPace], [null, '2027-03-04']);
        } finally {
          await empty.destroy();
        }
      } finally {
        await db.destroy();
      }
    });

    test('the calendar: each day against its capacity, blackouts, one day and its mailboxes', async () => {
      const db = await openStateStore(await location());
      try {
        await seed(db);
        const days = await dayCalendar(db, config.schedule);
        const row = (d: (typeof days)[number]) => [
          d.day,
          d.kind,
          d.blackout,
          d.capacity.mailboxes,
          d.planned,
          d.done,
          d.failed,
          d.inProgress,
          d.remaining,
          d.overCapacity,
        ];
        assert.deepEqual(days.map(row), [
          ['2027-02-24', 'weekday', false, 4, 1, 1, 0, 0, 0, false],
          ['2027-03-01', 'weekday', false, 4, 2, 2, 0, 0, 0, false],
          ['2027-03-02', 'weekday', false, 4, 3, 1, 2, 0, 0, false],
          ['2027-03-04', 'weekday', false, 4, 2, 0, 1, 1, 1, false],
          ['2027-03-06', 'weekend', false, 2, 1, 0, 0, 1, 1, false],
          ['2027-03-08', 'weekday', false, 4, 1, 0, 0, 0, 1, false],
        ]);
        assert.deepEqual(days[0]!.capacity, { mailboxes: 4, bytes: 2_000_000 });
        assert.deepEqual(days[4]!.capacity, { mailboxes: 2, bytes: null });
        assert.equal(days[4]!.plannedBytes, 30020000);
        // A blackout day without mailboxes is still shown when asked for.
        const blackout = await dayCalendar(db, config.schedule, { day: '2027-03-03' });
        assert.deepEqual(blackout.map(row), [['2027-03-03', 'weekday', true, 0, 0, 0, 0, 0, 0, false]]);
        // An organisation's own blackout dates count on its calendar.
        const b = await dayCalendar(db, config.schedule, { organisation: 'B' });
        assert.deepEqual(b.map(row), [
          ['2027-03-02', 'weekday', false, 4, 2, 1, 1, 0, 0, false],
          ['2027-03-04', 'weekday', false, 4, 1, 0, 1, 0, 0, false],
          // Planned on the organisation's own blackout day: shown as over capacity.
          ['2027-03-08', 'weekday', true, 0, 1, 0, 0, 0, 1, true],
        ]);

        const page = await dayMailboxes(db, '2027-03-02', { limit: 2 });
        assert.deepEqual(
          page.mailboxes.map((m) => [m.address, m.state, m.failureType]),
          [
            ['a3@a.org', 'failed', 'auth'],
            ['b1@b.org', 'failed', 'auth'],
          ],
        );
        assert.equal(page.more, true);
        const next = await dayMailboxes(db, '2027-03-02', { limit: 2, after: 'b1@b.org' });
        assert.deepEqual([next.mailboxes.map((m) => m.address), next.more], [['b3@b.org'], false]);
        const failedOfB = await dayMailboxes(db, '2027-03-02', {
          limit: 10,
          organisation: 'B',
          state: 'failed',
        });
        assert.deepEqual(
          failedOfB.mailboxes.map((m) => m.address),
          ['b1@b.org'],
        );
        noSecret([page, next]);
      } finally {
        await db.destroy();
      }
    });

    test('organisations: one in full, and the table of all', async () => {
      const db = await openStateStore(await location());
      try {
        await seed(db);
        const a = await organisationSummary(db, config, 'A', NOW);
        noSecret(a);
        assert.deepEqual(
          [a.code, a.name, a.pilot, a.adminContacts, a.blackoutDates],
          ['A', 'Trust A', true, ['it@a.org', 'ops@a.org'], []],
        );
        assert.equal(a.summary.organisation, 'A');
        assert.equal(a.summary.mailboxes, 6);
        assert.deepEqual(a.summary.states, {
          imported: 0,
          scheduled: 0,
          prestaged: 1,
          cutover: 1,
          done: 3,
          failed: 1,
        });
        assert.equal(a.summary.successRate, 3 / 4);
        assert.deepEqual(
          a.summary.failures.map((f) => [f.type, f.count, f.examples]),
          [['auth', 1, ['a3@a.org']]],
        );
        assert.equal(a.summary.throughput.mailboxesPerDay, 2 / 7);
        assert.equal(a.summary.throughput.messagesPerHour, 240 / 24);
        assert.deepEqual([a.summary.eta.mailboxesLeft, a.summary.eta.calendarEnd], [2, '2027-03-06']);
        assert.deepEqual(
          a.days.map((d) => d.day),
          ['2027-02-24', '2027-03-01', '2027-03-02', '2027-03-04', '2027-03-06'],
        );
        await assert.rejects(organisationSummary(db, config, 'NOPE', NOW), {
          type: 'usage',
          message: 'no organisation NOPE in this programme',
        });
        assert.deepEqual(await organisationTable(db), [
          { code: 'A', name: 'Trust A', total: 6, done: 3, failed: 1, nextDay: '2027-03-04' },
          { code: 'B', name: 'Trust B', total: 4, done: 1, failed: 2, nextDay: '2027-03-08' },
          { code: 'Z', name: 'Empty', total: 0, done: 0, failed: 0, nextDay: null },
        ]);
      } finally {
        await db.destroy();
      }
    });

    test('one mailbox: its day, next step, last failure, passes and skipped items; never a secret', async () => {
      const db = await openStateStore(await location());
      try {
        await seed(db);
        const m = await mailboxDetail(db, ' A5@A.org ');
        noSecret(m);
        assert.deepEqual(
          [m.address, m.displayName, m.organisation, m.state, m.batchDay, m.toldDay, m.rescheduledFrom],
          [
            'a5@a.org',
            'Alice Five',
            { code: 'A', name: 'Trust A' },
            'prestaged',
            '2027-03-06',
            '2027-02-20',
            '2027-03-05',
          ],
        );
        assert.deepEqual(
          [m.nextStep, m.nextDueAt, m.attempts, m.lease],
          ['delta', '2027-03-05T01:00:00.000Z', 1, null],
        );
        assert.deepEqual(m.lastFailure, {
          type: 'connection-lost',
          label: 'connection kept dropping',
          reason: 'connection reset by peer',
        });
        assert.deepEqual(
          [m.copiedMessages, m.copiedBytes, m.sizeBytes, m.messageCount],
          [200, 20000, 30020000, 201],
        );
        assert.deepEqual(m.source, { endpoint: 'old', user: 'a5', login: null, davLogin: null });
        assert.deepEqual(m.passes, [
          {
            kind: 'prestage',
            worker: 'w1',
            startedAt: '2027-03-03T01:00:00.000Z',
            finishedAt: '2027-03-03T13:00:00.000Z',
            outcome: 'partial',
            messages: 200,
            bytes: 20000,
            calendarItems: 0,
            contacts: 0,
            skipped: 1,
            error: null,
          },
          {
            kind: 'delta',
            worker: 'w1',
            startedAt: '2027-03-04T12:30:00.000Z',
            finishedAt: '2027-03-04T13:00:00.000Z',
            outcome: 'failed',
            messages: 0,
            bytes: 0,
            calendarItems: 0,
            contacts: 0,
            skipped: 0,
            error: {
              type: 'connection-lost',
              label: 'connection kept dropping',
              reason: 'connection reset by peer',
            },
          },
        ]);
        // No endpoint of this mailbox carries a DAV address: mail only.
        assert.deepEqual(m.kinds, {
          mail: { collections: 3, items: 201, copied: 200 },
          calendars: null,
          contacts: null,
        });
        assert.deepEqual(m.skipped, [
          {
            // Rows written before kinds were recorded were all refused by the target.
            kind: 'refused-by-target',
            folder: 'INBOX',
            uid: 17,
            size: 30_000_000,
            reason: 'message too large',
            recordedAt: '2027-03-03T12:59:00.000Z',
          },
        ]);
        assert.equal(m.skippedTotal, 1);
        const a4 = await mailboxDetail(db, 'a4@a.org');
        assert.deepEqual(a4.lease, { owner: 'w1', until: '2027-03-04T12:30:00.000Z' });
        assert.equal(a4.passes.at(-1)?.finishedAt, null);
        await assert.rejects(mailboxDetail(db, 'x@y.org'), {
          type: 'usage',
          message: 'no mailbox x@y.org in this programme',
        });
      } finally {
        await db.destroy();
      }
    });
  });
}

test('tranche status: the programme, --json, one mailbox, the views, and an unknown address (exit 64)', async () => {
  const dir = join(tempStatePath().replace(/\/state\.sqlite$/, ''), 'programme');
  assert.equal((await runCli(['init', dir, '--name', 'Test programme'])).status, EXIT.ok);
  writeFileSync(
    join(dir, 'tranche.yaml'),
    "name: Test programme\nschedule:\n  weekday: { mailboxes: 4, bytes: 2000000 }\n  weekend: { mailboxes: 2 }\n  blackoutDates: ['2027-03-03']\n",
  );
  const db = await openStateStore(join(dir, 'state.sqlite'));
  try {
    await seed(db);
  } finally {
    await db.destroy();
  }
  const outputs: string[] = [];
  const status = async (args: string[], expected: number = EXIT.ok): Promise<string> => {
    const result = await runCli(['status', ...args, '--programme', dir]);
    outputs.push(result.stdout, result.stderr);
    assert.equal(result.status, expected, `status ${args.join(' ')}: ${result.stderr}`);
    return expected === EXIT.ok ? result.stdout : result.stderr;
  };
  const now = ['--now', '2027-03-04T12:00Z'];

  const text = await status(now);
  assert.match(text, /^Test programme: status at 2027-03-04 12:00 \(programme clock\)$/m);
  assert.match(text, /^mailboxes {3}11: 1 imported, 1 scheduled, 1 prestaged, 1 cutover, 4 done, 3 failed$/m);
  assert.match(text, /^success {5}57\.14% \(4 done, 3 failed\)$/m);
  assert.match(text, /^ {2}login refused \(auth\): 2, e\.g\. a3@a\.org, b1@b\.org$/m);
  assert.match(text, /^ {4}2× AUTHENTICATE failed$/m);
  assert.match(text, /^ETA {9}calendar ends 2027-03-08 \(in 4 days\); at the current pace 2027-03-14$/m);

  const json = JSON.parse(await status([...now, '--json'])) as {
    states: Record<string, number>;
    successRate: number;
  };
  assert.deepEqual([json.states.done, json.successRate], [4, 4 / 7]);
  // Without --now: the latest finished pass (the machine's clock is years earlier); a full day's window.
  const latest = JSON.parse(await status(['--json'])) as {
    now: string;
    throughput: { messagesPerHour: number };
  };
  assert.deepEqual([latest.now, latest.throughput.messagesPerHour], ['2027-03-04T13:00:00.000Z', 50 / 24]);

  const mailbox = await status(['a5@a.org']);
  assert.match(mailbox, /^a5@a\.org \(Alice Five\), A Trust A$/m);
  assert.match(mailbox, /^state {7}prestaged; day 2027-03-06, told 2027-02-20, moved from 2027-03-05/m);
  assert.match(
    mailbox,
    /^failure {5}connection kept dropping \(connection-lost\): connection reset by peer$/m,
  );
  assert.match(mailbox, /^prestage +2027-03-03 01:00 +2027-03-03 13:00 +partial +200 +19\.5 KB/m);
  assert.match(mailbox, /^INBOX +17 +28\.6 MB +refused-by-target +message too large$/m);
  assert.equal((JSON.parse(await status(['a5@a.org', '--json'])) as { address: string }).address, 'a5@a.org');

  assert.match(await status(['--days']), /^2027-03-06 +weekend +2 +1 +28\.6 MB /m);
  assert.match(await status(['--day', '2027-03-03']), /^2027-03-03 +weekday, blackout +0 +0 /m);
  assert.match(await status(['--day', '2027-03-02', '--limit', '2']), /… more: add --after b1@b\.org$/m);
  assert.match(await status(['--orgs']), /^A +Trust A +6 +3 +1 +2027-03-04$/m);
  assert.match(await status(['--org', 'B', ...now]), /^organisation B: Trust B$/m);

  assert.match(await status(['x@y.org'], EXIT.usage), /^tranche: no mailbox x@y\.org in this programme$/m);
  assert.match(await status(['--org', 'NOPE'], EXIT.usage), /no organisation NOPE/);
  assert.match(await status(['--days', '--orgs'], EXIT.usage), /give one of --orgs, --days/);
  assert.match(await status(['--now', 'soon'], EXIT.usage), /--now must be an ISO time/);
  assert.match(await status(['--help']), /tranche status --day DATE/);
  for (const output of outputs) for (const secret of SECRETS) assert.ok(!output.includes(secret), output);
});
