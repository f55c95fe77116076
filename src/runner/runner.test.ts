import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { silentLogger } from '../log/logger.js';
import { withDefaults, type ProgrammeConfig } from '../programme/config/config.js';
import { Endpoints, type EndpointInput } from '../programme/endpoints/endpoints.js';
import { firstStep } from '../programme/lifecycle/step-times.js';
import { openStateStore } from '../state/open-state-store.js';
import type { Database } from '../state/schema.js';
import { SecretBox } from '../state/secrets/secret-box.js';
import { generateSecretKey } from '../state/secrets/secret-key.js';
import { generateCorpus, loadCorpus } from '../testing/corpus.js';
import { startDovecot, type DovecotServer, type DovecotUser } from '../testing/dovecot.js';
import { diffSnapshots, snapshotMailbox } from '../testing/snapshot.js';
import { tempStatePath } from '../testing/sync-fixture.js';
import { testEndpoint } from '../testing/test-endpoint.js';
import { SimulatedClock } from '../limits/clock.js';
import { runStep, stepContext } from './run-step.js';
import { type RunnerOptions, type RunTotals } from './runner.js';
import { runOnSimulatedClock } from '../testing/run-on-simulated-clock.js';

let source: DovecotServer;
let target: DovecotServer;
before(async () => {
  [source, target] = await Promise.all([startDovecot(), startDovecot()]);
});
after(async () => {
  await Promise.all([source?.stop(), target?.stop()]);
});

interface Pair {
  address: string;
  from: DovecotUser;
  to: DovecotUser;
}

/** A programme of N mailboxes with mail on the source (MESSAGES each), placed on DAY (as the planner would). */
async function programme(
  n: number,
  day: string,
  plannedAt: Date,
  messages = 20,
  targetLimits: Partial<EndpointInput> = {},
) {
  const db: Kysely<Database> = await openStateStore(tempStatePath());
  const box = new SecretBox(generateSecretKey());
  const config: ProgrammeConfig = withDefaults({ name: 'runner test' }, '/tmp');
  const endpoints = new Endpoints(db, box);
  await endpoints.add(testEndpoint('old', source.url, source));
  await endpoints.add(testEndpoint('new', target.url, undefined, { maxMailboxes: 2, ...targetLimits }));
  const pairs: Pair[] = [];
  for (let i = 0; i < n; i++) {
    const from = await source.addUser();
    const to = await target.addUser();
    await loadCorpus(
      source,
      from,
      generateCorpus({
        seed: 100 + i,
        messages,
        folders: ['INBOX', 'Work', 'Work/Old'],
        bigAttachments: 0,
      }),
    );
    const address = `${from.user}@example.org`;
    pairs.push({ address, from, to });
    const due = firstStep(day, config.lifecycle, plannedAt);
    await db
      .insertInto('mailbox')
      .values({
        address,
        organisation: null,
        source_endpoint: 'old',
        source_user: from.user,
        source_secret: null,
        target_endpoint: 'new',
        target_user: to.user,
        target_secret: box.seal(to.password),
        notify_address: address,
        state: 'scheduled',
        batch_day: day,
        next_step: due.step,
        next_due_at: due.dueAt,
      })
      .execute();
  }
  /** Runs the programme on a simulated clock from the plan date (600x), with OVERRIDES. */
  const run = (overrides: Partial<RunnerOptions> = {}): Promise<RunTotals> =>
    runOnSimulatedClock({ db, box, config }, plannedAt, {
      ...overrides,
    });
  return { db, box, config, pairs, run, endpoints };
}

/** Asserts that the (only) mailbox is still leased to another worker until UNTIL, its pre-stage still due. */
async function leftToElsewhere(db: Kysely<Database>, until: string): Promise<void> {
  const mailbox = await db
    .selectFrom('mailbox')
    .select(['lease_owner', 'lease_until', 'state', 'next_step'])
    .executeTakeFirstOrThrow();
  assert.deepEqual(mailbox, {
    lease_owner: 'elsewhere',
    lease_until: until,
    state: 'scheduled',
    next_step: 'prestage',
  });
}

/** The most passes that ran at once. */
function mostAtOnce(passes: { started_at: string; finished_at: string | null }[]): number {
  const edges = passes.flatMap(
    (p) =>
      [
        [p.started_at, 1],
        [p.finished_at!, -1],
      ] as [string, number][],
  );
  edges.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
  let now = 0;
  let most = 0;
  for (const [, d] of edges) most = Math.max(most, (now += d));
  return most;
}

async function identical(pair: Pair): Promise<string[]> {
  return diffSnapshots(await snapshotMailbox(source, pair.from), await snapshotMailbox(target, pair.to));
}

describe('tranche run on the simulated clock', () => {
  test('carries each mailbox through pre-stage, daily deltas, cutover and final pass; new mail arrives', async () => {
    const plannedAt = new Date('2027-03-01T00:00:00Z');
    const { db, pairs, run } = await programme(3, '2027-03-15', plannedAt);
    try {
      const late = pairs[0]!;
      let added = false;
      const totals = await run({
        onStep: (mailbox, step) => {
          // Mail that arrives between the pre-stage and the cutover must reach the target too.
          if (mailbox === late.address && step === 'prestage' && !added) {
            added = true;
            void loadCorpus(
              source,
              late.from,
              generateCorpus({ seed: 999, messages: 3, folders: ['INBOX'], bigAttachments: 0 }),
            );
          }
        },
      });
      assert.equal(totals.ended, 'finished');
      assert.equal(totals.failed, 0);
      const rows = await db.selectFrom('mailbox').selectAll().orderBy('address').execute();
      for (const row of rows) {
        assert.equal(row.state, 'done', `${row.address}: ${row.failure_reason}`);
        assert.equal(row.told_day, '2027-03-15');
        assert.equal(row.next_step, null);
      }
      for (const pair of pairs) assert.deepEqual(await identical(pair), [], pair.address);
      const passes = await db
        .selectFrom('pass')
        .selectAll()
        .where('mailbox', '=', late.address)
        .orderBy('started_at')
        .execute();
      const kinds = passes.map((p) => p.kind);
      assert.equal(kinds[0], 'prestage');
      assert.equal(kinds.at(-1), 'final');
      assert.deepEqual([...new Set(kinds.slice(1, -1))], ['delta']);
      assert.ok(kinds.length >= 4, kinds.join(','));
      assert.ok(passes[0]!.started_at >= '2027-03-12T01:00', passes[0]!.started_at);
      assert.ok(passes.at(-1)!.started_at >= '2027-03-15T18:00', passes.at(-1)!.started_at);
      assert.equal(Number(passes.reduce((n, p) => n + Number(p.messages), 0)), 23);
    } finally {
      await db.destroy();
    }
  });

  test('a refused target login fails that mailbox with the reason; the others finish within the endpoint limit', async () => {
    const plannedAt = new Date('2027-05-01T00:00:00Z');
    const { db, config, pairs, run } = await programme(4, '2027-05-17', plannedAt);
    try {
      const locked = pairs[1]!;
      // A stricter password policy on the new platform: the stored password no longer works.
      await target.setPassword(locked.to.user, 'changed-by-policy-7');
      const totals = await run({ config: { ...config, lifecycle: { ...config.lifecycle, attempts: 2 } } });
      assert.equal(totals.ended, 'finished');
      assert.equal(totals.failed, 1);
      const failed = await db
        .selectFrom('mailbox')
        .selectAll()
        .where('address', '=', locked.address)
        .executeTakeFirstOrThrow();
      assert.equal(failed.state, 'failed');
      assert.equal(failed.failure_type, 'auth');
      assert.match(failed.failure_reason ?? '', /^target: /);
      assert.equal(failed.target_login, 'bad-password');
      assert.ok(!JSON.stringify(failed).includes(locked.to.password));
      for (const pair of pairs.filter((p) => p !== locked)) {
        const row = await db
          .selectFrom('mailbox')
          .select(['state'])
          .where('address', '=', pair.address)
          .executeTakeFirstOrThrow();
        assert.equal(row.state, 'done', pair.address);
        assert.deepEqual(await identical(pair), [], pair.address);
      }
      // The target allows two mailboxes at once: passes overlapped, but never more than two.
      const passes = await db.selectFrom('pass').select(['started_at', 'finished_at']).execute();
      assert.equal(mostAtOnce(passes), 2);
    } finally {
      await db.destroy();
    }
  });

  test('limits changed while it runs (endpoint set) are used without a restart: a lifted byte budget, then more mailboxes at once', async () => {
    const plannedAt = new Date('2027-07-01T00:00:00Z');
    const { db, pairs, run, endpoints } = await programme(3, '2027-07-12', plannedAt);
    try {
      // One mailbox at a time on the target, and a budget of a byte an hour: the first pass copies one
      // message and then owes the budget for years.
      await endpoints.set('new', { maxMailboxes: 1, bytesPerHour: 1 });
      const clock = new SimulatedClock(plannedAt, 600);
      const controller = new AbortController();
      // Not a speed limit: a pass left waiting at the old budget would wait for ever without it.
      const guard = setTimeout(() => controller.abort(), 120_000);
      const running = run({ clock, signal: controller.signal, pollMs: 20 });
      /** Waits until CONDITION holds, or the guard stopped the run. */
      const until = async (condition: () => Promise<boolean>): Promise<void> => {
        while (!controller.signal.aborted && !(await condition())) await new Promise((r) => setTimeout(r, 5));
      };
      await until(async () => {
        const { budget_tokens } = await db
          .selectFrom('endpoint')
          .select('budget_tokens')
          .where('name', '=', 'new')
          .executeTakeFirstOrThrow();
        return budget_tokens !== null && budget_tokens < 0;
      });
      // No step starts while the one pass waits: only the running process's own refresh can lift it.
      const liftedAt = clock.now().toISOString();
      await endpoints.set('new', { bytesPerHour: null });
      await until(async () =>
        Boolean(
          await db.selectFrom('pass').select('id').where('finished_at', 'is not', null).executeTakeFirst(),
        ),
      );
      const raisedAt = clock.now().toISOString();
      const update = await endpoints.set('new', { maxMailboxes: 3 });
      assert.deepEqual([update.before.maxMailboxes, update.after.maxMailboxes], [1, 3]);
      const totals = await running;
      clearTimeout(guard);
      assert.equal(totals.ended, 'finished', 'a pass kept waiting at the old byte budget');
      assert.equal(totals.failed, 0);
      for (const pair of pairs) assert.deepEqual(await identical(pair), [], pair.address);
      const passes = await db.selectFrom('pass').selectAll().orderBy('started_at').execute();
      // The pass held by the budget went on once it was lifted, and ended well.
      const held = passes.filter((p) => p.started_at < liftedAt);
      assert.deepEqual(
        held.map((p) => p.outcome),
        ['ok'],
      );
      // One at a time until the limit was raised; side by side after it.
      assert.equal(mostAtOnce(passes.filter((p) => p.started_at < raisedAt)), 1);
      assert.ok(mostAtOnce(passes) > 1, 'passes overlapped after max mailboxes was raised');
    } finally {
      await db.destroy();
    }
  });

  test('stopped mid-copy (SIGTERM) and run again: picks up where it stopped, nothing copied twice', async () => {
    const plannedAt = new Date('2027-06-01T00:00:00Z');
    const { db, pairs, run } = await programme(2, '2027-06-10', plannedAt);
    try {
      const controller = new AbortController();
      const first = run({ signal: controller.signal, pollMs: 20 });
      // Stop as soon as the first pre-stage has copied something.
      for (;;) {
        const copying = await db.selectFrom('sync_folder').select('mailbox_key').executeTakeFirst();
        if (copying) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      controller.abort();
      const stopped = await first;
      assert.equal(stopped.ended, 'stopped');
      assert.ok(stopped.interrupted >= 1, JSON.stringify(stopped));
      const held = await db.selectFrom('mailbox').select(['lease_owner', 'next_step']).execute();
      assert.ok(held.every((m) => m.lease_owner === null && m.next_step === 'prestage'));

      const second = await run();
      assert.equal(second.ended, 'finished');
      for (const pair of pairs) assert.deepEqual(await identical(pair), [], pair.address);
      const interrupted = await db
        .selectFrom('pass')
        .select(['outcome'])
        .where('outcome', '=', 'interrupted')
        .execute();
      assert.ok(interrupted.length >= 1);
    } finally {
      await db.destroy();
    }
  });

  test('a lease lost mid-copy (it ran out and another worker took the mailbox): the pass stops, the mailbox is left to the new holder', async () => {
    const plannedAt = new Date('2027-06-01T00:00:00Z');
    // A byte budget (1 MB a programme hour, 6 s of real time at 600x) keeps the copy running while
    // the lease is taken away, however fast the machine copies.
    const { db, pairs, run } = await programme(1, '2027-06-10', plannedAt, 1500, {
      bytesPerHour: 1_000_000,
    });
    try {
      const controller = new AbortController();
      // A 900 ms lease: the heartbeat renews it every 300 ms.
      const running = run({ signal: controller.signal, pollMs: 20, leaseMs: 900 });
      for (;;) {
        const copying = await db.selectFrom('sync_folder').select('mailbox_key').executeTakeFirst();
        if (copying) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      // As if this runner had stalled past its lease and another worker had claimed the mailbox.
      const until = new Date(Date.now() + 3_600_000).toISOString();
      await db.updateTable('mailbox').set({ lease_owner: 'elsewhere', lease_until: until }).execute();
      let pass;
      for (let waited = 0; waited < 15_000; waited += 20) {
        pass = await db
          .selectFrom('pass')
          .selectAll()
          .where('finished_at', 'is not', null)
          .executeTakeFirst();
        if (pass) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(pass, 'the pass was closed');
      assert.equal(pass.outcome, 'interrupted');
      assert.match(pass.error_reason ?? '', /lease on this mailbox ran out or was taken over/);
      assert.equal(pass.error_type, null);
      // Stopped part-way: the copy was not carried on to the end.
      assert.notDeepEqual(await identical(pairs[0]!), []);
      controller.abort();
      const totals = await running;
      assert.equal(totals.interrupted, 1);
      assert.equal(totals.ok, 0);
      // The new holder's lease and the step are untouched.
      await leftToElsewhere(db, until);
    } finally {
      await db.destroy();
    }
  });

  test('a pass that ends after another worker claimed its mailbox is not recorded as done: the new holder carries the step', async () => {
    const plannedAt = new Date('2027-06-01T00:00:00Z');
    const { db, box, config, pairs } = await programme(1, '2027-06-10', plannedAt);
    try {
      const ctx = await stepContext({
        db,
        box,
        config,
        clock: new SimulatedClock(plannedAt, 600),
        owner: 'me',
        logger: silentLogger(),
        signal: new AbortController().signal,
      });
      // This process began the step holding the lease; by the time the pass ends, another worker has it.
      const until = new Date(Date.now() + 3_600_000).toISOString();
      await db.updateTable('mailbox').set({ lease_owner: 'elsewhere', lease_until: until }).execute();
      const mailbox = await db.selectFrom('mailbox').selectAll().executeTakeFirstOrThrow();
      assert.equal(await runStep(ctx, { ...mailbox, lease_owner: 'me' }), 'interrupted');
      // The copy went through (the engine's contract keeps a second one from duplicating anything)...
      assert.deepEqual(await identical(pairs[0]!), []);
      // ...but the pass is not the step's: the mailbox and its new holder are untouched.
      const pass = await db.selectFrom('pass').selectAll().executeTakeFirstOrThrow();
      assert.equal(pass.outcome, 'interrupted');
      assert.match(pass.error_reason ?? '', /lease on this mailbox ran out or was taken over/);
      await leftToElsewhere(db, until);
    } finally {
      await db.destroy();
    }
  });
});
