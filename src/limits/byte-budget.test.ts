import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openStateStore } from '../state/open-state-store.js';
import { insertEndpoints } from '../testing/state-rows.js';
import { storeBackends } from '../testing/store-backends.js';
import { ByteBudget } from './byte-budget.js';
import { SimulatedClock } from './clock.js';

const start = new Date('2027-01-04T00:00:00Z');

/** A simulated clock that adds up the programme time its callers asked to sleep. */
class CountingClock extends SimulatedClock {
  slept = 0;
  sleeps = 0;

  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.slept += ms;
    this.sleeps++;
    return super.sleep(ms, signal);
  }
}

/** Waits for TAKE; a take still waiting after a minute (real time) fails with WHY instead of hanging the test. */
async function settles(take: (signal: AbortSignal) => Promise<void>, why: string): Promise<void> {
  const controller = new AbortController();
  const guard = setTimeout(() => controller.abort(new Error(why)), 60_000);
  try {
    await take(controller.signal);
  } finally {
    clearTimeout(guard);
  }
}

/** Resolves once CLOCK has been asked to sleep more than N times. */
async function asleep(clock: CountingClock, n: number): Promise<void> {
  for (let waited = 0; clock.sleeps <= n; waited += 5) {
    assert.ok(waited < 60_000, 'the take never waited');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

for (const [backend, location] of storeBackends()) {
  describe(`the shared bytes-per-hour budget (${backend})`, () => {
    test('lets a minute’s worth through at once, then holds to the rate (programme time)', async () => {
      const db = await openStateStore(await location());
      try {
        await insertEndpoints(db, ['new']);
        const clock = new CountingClock(start, 1000);
        // 3.6 MB per hour: 1,000 bytes a second, at most a minute's worth (60,000) at once.
        const budget = new ByteBudget(db, 'new', 3_600_000, clock);
        const t0 = clock.now().getTime();
        await budget.take(60_000);
        assert.equal(clock.slept, 0, 'the first minute’s worth waits for nothing');
        // Three callers at once wait in turn: 90,000 more bytes need 90 programme seconds.
        await Promise.all([budget.take(30_000), budget.take(30_000), budget.take(30_000)]);
        const waited = clock.now().getTime() - t0;
        assert.ok(waited >= 90_000, `waited ${waited} ms of programme time`);
        // A message larger than the burst goes once a minute's worth has built up; the next caller pays its debt.
        await budget.take(120_000);
        assert.ok(clock.now().getTime() - t0 >= 150_000);
        await budget.take(1);
        assert.ok(clock.now().getTime() - t0 >= 210_000);
      } finally {
        await db.destroy();
      }
    });

    test('two budgets drawing from one endpoint share its rate', async () => {
      const where = await location();
      // Two pools on PostgreSQL, as two workers would have; SQLite's one connection per process is
      // synchronous (a second handle in the same process would wait on the first with the event loop blocked).
      const a = await openStateStore(where);
      const b = backend === 'PostgreSQL' ? await openStateStore(where) : a;
      try {
        await insertEndpoints(a, ['new']);
        const clock = new SimulatedClock(start, 1000);
        const budgets = [
          new ByteBudget(a, 'new', 3_600_000, clock),
          new ByteBudget(b, 'new', 3_600_000, clock),
        ];
        const t0 = clock.now().getTime();
        // 240,000 bytes between them: the first 60,000 at once, the other 180,000 at 1,000 a second.
        await Promise.all(budgets.flatMap((budget) => [1, 2, 3, 4].map(() => budget.take(30_000))));
        const waited = clock.now().getTime() - t0;
        assert.ok(waited >= 170_000, `both together waited only ${waited} ms of programme time`);
      } finally {
        await Promise.all([...new Set([a, b])].map((db) => db.destroy()));
      }
    });

    test('a new rate, or none, reaches the takes already waiting at the old one', async () => {
      const db = await openStateStore(await location());
      try {
        await insertEndpoints(db, ['new']);
        const clock = new CountingClock(start, 1000);
        // 3,600 bytes per hour: a million bytes owed take a million programme seconds to pay off.
        const budget = new ByteBudget(db, 'new', 3_600, clock);
        await budget.take(1_000_000);
        const first = settles((signal) => budget.take(1, signal), 'still waiting at the old rate');
        await asleep(clock, 0);
        const asked = clock.slept;
        assert.ok(asked > 900_000_000, `asked to sleep ${asked} ms`);
        // 3.6 GB per hour pays the debt off in a programme second.
        budget.setRate(3_600_000_000);
        await first;
        assert.ok(clock.slept - asked < 100_000, `then asked for ${clock.slept - asked} ms more`);

        const other = new ByteBudget(db, 'new', 3_600, clock);
        await other.take(1_000_000);
        const sleeps = clock.sleeps;
        const second = settles((signal) => other.take(1, signal), 'still waiting for a lifted budget');
        await asleep(clock, sleeps);
        other.setRate(undefined);
        await second;
        await settles((signal) => other.take(10_000_000, signal), 'a lifted budget held a take');
      } finally {
        await db.destroy();
      }
    });

    test('waiting stops when the run is aborted', async () => {
      const db = await openStateStore(await location());
      try {
        await insertEndpoints(db, ['new']);
        const budget = new ByteBudget(db, 'new', 3_600, new SimulatedClock(start, 1));
        await budget.take(60);
        const controller = new AbortController();
        const waiting = budget.take(1_000_000, controller.signal);
        controller.abort(new Error('stopping'));
        await assert.rejects(waiting, /stopping/);
      } finally {
        await db.destroy();
      }
    });
  });
}
