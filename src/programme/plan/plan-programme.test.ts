import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Kysely, Updateable } from 'kysely';
import { EXIT } from '../../cli/exit-codes.js';
import { openStateStore } from '../../state/open-state-store.js';
import type { Database, MailboxTable } from '../../state/schema.js';
import { SecretBox } from '../../state/secrets/secret-box.js';
import { generateSecretKey } from '../../state/secrets/secret-key.js';
import { storeBackends } from '../../testing/store-backends.js';
import { runCli, tempStatePath } from '../../testing/sync-fixture.js';
import { withDefaults, type ProgrammeConfig } from '../config/config.js';
import { schedulingBlockers } from '../discover/discover.js';
import { DEFAULT_LIMITS, Endpoints } from '../endpoints/endpoints.js';
import { firstStep, stepAfter } from '../lifecycle/step-times.js';
import { planProgramme, type PlanProgrammeOptions } from './plan-programme.js';

const config: ProgrammeConfig = withDefaults(
  {
    name: 'plan test',
    schedule: {
      weekday: { mailboxes: 4 },
      weekend: { mailboxes: 0 },
      noticeDays: 14,
      horizonDays: 60,
      seed: 3,
    },
  },
  '/nonexistent',
);
const now = new Date('2027-03-01T00:00:00.000Z');
const options: PlanProgrammeOptions = {
  planDate: '2027-03-01',
  now,
  seed: undefined,
  force: false,
  dryRun: false,
};

const ORGS = [
  { code: 'PILOT', name: 'Pilot trust', pilot: 1, blackout_dates: '' },
  { code: 'A', name: 'Trust A', pilot: 0, blackout_dates: '2027-03-22;2027-03-23' },
  { code: 'B', name: 'Trust B', pilot: 0, blackout_dates: '' },
];
const address = (org: string, n: number): string => `u${n}@${org.toLowerCase()}.example.org`;

/** A store with three organisations of six mailboxes each and two without one, all discovered; two blocked. */
async function programme(location: string): Promise<Kysely<Database>> {
  const db = await openStateStore(location);
  const endpoints = new Endpoints(db, new SecretBox(generateSecretKey()));
  const base = {
    ...DEFAULT_LIMITS,
    insecure: false,
    allowPlaintext: false,
    admin: undefined,
    loginTemplate: undefined,
    adminPassword: undefined,
  };
  await endpoints.add({ ...base, name: 'old', url: 'imaps://old.example.org' });
  await endpoints.add({ ...base, name: 'new', url: 'imaps://new.example.org' });
  await db.insertInto('organisation').values(ORGS).execute();
  const row = (a: string, organisation: string | null) => ({
    address: a,
    organisation,
    source_endpoint: 'old',
    source_user: a,
    target_endpoint: 'new',
    target_user: a,
    notify_address: a,
  });
  await db
    .insertInto('mailbox')
    .values([
      ...ORGS.flatMap((o) => [1, 2, 3, 4, 5, 6].map((n) => row(address(o.code, n), o.code))),
      row('solo1@x.example.org', null),
      row('solo2@x.example.org', null),
    ])
    .execute();
  await db
    .updateTable('mailbox')
    .set({ source_login: 'ok', target_login: 'ok', size_bytes: 1000, discovered_at: now.toISOString() })
    .execute();
  await db
    .updateTable('mailbox')
    .set({ source_login: null, target_login: null })
    .where('address', '=', address('B', 6))
    .execute();
  await db
    .updateTable('mailbox')
    .set({ target_login: 'bad-password', discover_detail: 'target: [AUTHENTICATIONFAILED] no' })
    .where('address', '=', address('B', 5))
    .execute();
  return db;
}

type Row = {
  address: string;
  batch_day: string | null;
  state: string;
  next_step: string | null;
  next_due_at: string | null;
  told_day: string | null;
  rescheduled_from: string | null;
  attempts: number;
  failure_type: string | null;
};

async function rows(db: Kysely<Database>): Promise<Map<string, Row>> {
  const all = await db
    .selectFrom('mailbox')
    .select([
      'address',
      'batch_day',
      'state',
      'next_step',
      'next_due_at',
      'told_day',
      'rescheduled_from',
      'attempts',
      'failure_type',
    ])
    .execute();
  return new Map(all.map((r) => [r.address, { ...r, attempts: Number(r.attempts) }]));
}

for (const [backend, location] of storeBackends()) {
  describe(`plan on ${backend}`, () => {
    test('a plan writes each day and first step; a dry run writes nothing; blockers are reported as discover does', async () => {
      const db = await programme(await location());
      try {
        const dry = await planProgramme(db, config, { ...options, dryRun: true });
        assert.equal(dry.written, 0);
        assert.ok(
          [...(await rows(db)).values()].every((r) => r.batch_day === null && r.state === 'imported'),
        );

        const result = await planProgramme(db, config, options);
        assert.deepEqual(result.plan.counts, {
          mailboxes: 20,
          placed: 18,
          unchanged: 0,
          kept: 0,
          moved: 0,
          unplaced: 2,
        });
        assert.equal(result.written, 18);
        const after = await rows(db);
        const pilotDays = [...after.values()].filter((r) => r.address.endsWith('@pilot.example.org'));
        const otherDays = [...after.values()].filter(
          (r) => !r.address.endsWith('@pilot.example.org') && r.batch_day !== null,
        );
        assert.ok(
          pilotDays.every((p) => otherDays.every((o) => p.batch_day! < o.batch_day!)),
          'pilots first',
        );
        for (const r of [...pilotDays, ...otherDays]) {
          assert.ok(r.batch_day! >= '2027-03-15', `${r.address} on ${r.batch_day}, inside the notice period`);
          assert.equal(r.state, 'scheduled');
          const step = firstStep(r.batch_day!, config.lifecycle, now);
          assert.deepEqual([r.next_step, r.next_due_at], [step.step, step.dueAt]);
        }
        for (const r of after.values())
          if (r.address.endsWith('@a.example.org'))
            assert.ok(!['2027-03-22', '2027-03-23'].includes(r.batch_day!));
        // Dry run and plan agree, and an unplaced mailbox's reason is discover --report's.
        assert.deepEqual(dry.plan.day, result.plan.day);
        const blockers = await schedulingBlockers(db);
        const reasons = new Map(
          result.mailboxes.address.map((a, i) => [a, result.plan.reasons[result.plan.reason[i]!]]),
        );
        assert.equal(blockers.length, 2);
        for (const b of blockers) assert.equal(reasons.get(b.address), b.reason);

        // The same plan again changes nothing.
        const again = await planProgramme(db, config, options);
        assert.deepEqual([again.written, again.plan.counts.unchanged], [0, 18]);
      } finally {
        await db.destroy();
      }
    });

    test('re-plan: told users keep their day unless forced; failed ones move and are owed a notice; cutover, done and leased are left alone', async () => {
      const db = await programme(await location());
      try {
        await planProgramme(db, config, options);
        const first = await rows(db);
        const placed = [...first.values()].filter((r) => r.batch_day !== null).map((r) => r.address);
        const [told1, told2, told3, failed, done, leased, prestaged, blockedLater] = placed.sort();
        const set = (a: string | undefined, values: Updateable<MailboxTable>) =>
          db.updateTable('mailbox').set(values).where('address', '=', a!).execute();
        for (const a of [told1, told2, told3]) await set(a, { told_day: '2027-03-01' });
        await set(failed, {
          state: 'failed',
          told_day: '2027-03-01',
          attempts: 5,
          failure_type: 'quota',
          failure_reason: 'target full',
        });
        await set(done, { state: 'done' });
        await set(leased, { lease_owner: 'w1', lease_until: '2027-03-01T01:00:00.000Z' });
        await set(prestaged, { state: 'prestaged' });
        await set(blockedLater, { target_login: 'disabled' });

        // Another seed shuffles everyone untold; told users stay put.
        const replan = await planProgramme(db, config, { ...options, seed: 99 });
        assert.equal(replan.untouched, 2);
        assert.equal(replan.plan.counts.kept, 3);
        const second = await rows(db);
        for (const a of [told1, told2, told3]) {
          assert.equal(second.get(a!)!.batch_day, first.get(a!)!.batch_day);
          assert.equal(second.get(a!)!.told_day, '2027-03-01');
        }
        for (const a of [done, leased]) {
          const { batch_day, next_step, next_due_at } = second.get(a!)!;
          const was = first.get(a!)!;
          assert.deepEqual(
            [batch_day, next_step, next_due_at],
            [was.batch_day, was.next_step, was.next_due_at],
          );
        }
        assert.equal(second.get(done!)!.state, 'done');
        const f = second.get(failed!)!;
        assert.equal(f.state, 'scheduled');
        assert.deepEqual([f.attempts, f.failure_type], [0, null]);
        if (f.batch_day !== first.get(failed!)!.batch_day) {
          assert.deepEqual([f.rescheduled_from, f.told_day], [first.get(failed!)!.batch_day, null]);
        }
        const b = second.get(blockedLater!)!;
        assert.deepEqual([b.state, b.batch_day, b.next_step, b.next_due_at], ['imported', null, null, null]);
        const p = second.get(prestaged!)!;
        assert.equal(p.state, 'prestaged');
        if (p.batch_day !== first.get(prestaged!)!.batch_day) {
          const step = stepAfter('delta', p.batch_day!, config.lifecycle, now)!;
          assert.deepEqual([p.next_step, p.next_due_at], [step.step, step.dueAt]);
        } else {
          assert.equal(p.next_due_at, first.get(prestaged!)!.next_due_at);
        }

        // Forced with yet another seed: told users are re-placed; each one moved is owed a rescheduled notice.
        const forced = await planProgramme(db, config, { ...options, seed: 12345, force: true });
        assert.equal(forced.plan.counts.kept, 0);
        const third = await rows(db);
        let moved = 0;
        // Every user told by now (the failed one too, if the last plan kept its day), in any state that plans.
        for (const [a, before] of second) {
          if (before.told_day === null || a === done || a === leased) continue;
          const now3 = third.get(a)!;
          if (now3.batch_day === before.batch_day) {
            assert.deepEqual([now3.told_day, now3.rescheduled_from], ['2027-03-01', before.rescheduled_from]);
          } else {
            moved++;
            assert.deepEqual(
              [now3.told_day, now3.rescheduled_from],
              [null, before.rescheduled_from ?? before.batch_day],
            );
          }
        }
        assert.ok(moved > 0, 'a new seed moves some told user');
        assert.equal(forced.plan.counts.moved, moved);
      } finally {
        await db.destroy();
      }
    });
  });
}

test('tranche plan on the command line: --dry-run, --json, --export, --calendar-csv, exit 1 with unplaced, usage errors', async () => {
  const dir = join(tempStatePath().replace(/\/state\.sqlite$/, ''), 'programme');
  assert.equal((await runCli(['init', dir, '--name', 'cli plan'])).status, EXIT.ok);
  const yaml = join(dir, 'tranche.yaml');
  writeFileSync(
    yaml,
    readFileSync(yaml, 'utf8').replace(
      '  weekday: { mailboxes: 1000 }',
      "  weekday: { mailboxes: 4, bytes: '1 MB' }",
    ),
  );
  const db = await programme(join(dir, 'state.sqlite'));
  await db.destroy();
  const exportFile = join(dir, 'plan.csv');
  const calendarFile = join(dir, 'calendar.csv');
  const dry = await runCli([
    'plan',
    '--dry-run',
    '--json',
    '--today',
    '2027-03-01',
    '--export',
    exportFile,
    '--calendar-csv',
    calendarFile,
    '--programme',
    dir,
  ]);
  assert.equal(dry.status, 1, dry.stderr);
  const report = JSON.parse(dry.stdout) as {
    placed: number;
    unplaced: number;
    written: number;
    firstDay: string;
    days: { day: string; mailboxes: number }[];
    unplacedReasons: { reason: string; count: number }[];
  };
  assert.deepEqual(
    [report.placed, report.unplaced, report.written, report.firstDay],
    [18, 2, 0, '2027-03-15'],
  );
  assert.deepEqual(report.unplacedReasons.map((r) => r.reason).sort(), [
    'not discovered yet',
    'target login: bad-password (target: [AUTHENTICATIONFAILED] no)',
  ]);
  const csv = readFileSync(exportFile, 'utf8').trim().split('\r\n');
  assert.equal(csv[0], 'address,organisation,day,size_bytes,told_day,state,reason');
  assert.equal(csv.length, 21);
  assert.ok(csv.includes(`${address('B', 6)},B,,1000,,imported,not discovered yet`));
  const calendar = readFileSync(calendarFile, 'utf8').trim().split('\r\n');
  assert.equal(calendar[0], 'day,weekday,kind,mailboxes,capacity,bytes,byte_capacity,kept,over_capacity');
  assert.equal(calendar[1], '2027-03-15,Mon,weekday,4,4,4000,1048576,0,no');

  const written = await runCli(['plan', '--today', '2027-03-01', '--seed', '5', '--programme', dir]);
  assert.equal(written.status, 1);
  assert.match(written.stdout, /^tranche plan: 20 mailboxes; plan date 2027-03-01, seed 5/);
  assert.match(written.stdout, /written: 18 mailboxes/);
  assert.match(written.stdout, /2027-03-15 Mon {2}weekday {19}4 \/ 4 {4}3\.9 KB \/ 1 MB/);
  assert.match(written.stdout, /1 {2}not discovered yet: u6@b\.example\.org/);

  for (const bad of [
    ['--today', '2027-02-30'],
    ['--seed', 'x'],
  ]) {
    const result = await runCli(['plan', ...bad, '--programme', dir]);
    assert.equal(result.status, EXIT.usage);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  }
  const help = await runCli(['plan', '--help']);
  for (const flag of [
    '--dry-run',
    '--force',
    '--seed',
    '--today',
    '--export',
    '--calendar-csv',
    '--json',
    '--programme',
  ])
    assert.ok(help.stdout.includes(flag), flag);
});
