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

  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.slept += ms;
    return super.sleep(ms, signal);
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
