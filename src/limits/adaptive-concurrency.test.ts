import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openStateStore } from '../state/open-state-store.js';
import { insertEndpoints } from '../testing/state-rows.js';
import { storeBackends } from '../testing/store-backends.js';
import { ADAPT_PACE, observeLoginLatency } from './adaptive-concurrency.js';
import { EndpointRoom, mailboxLimit } from './endpoint-room.js';

for (const [backend, location] of storeBackends()) {
  describe(`adaptive concurrency (${backend})`, () => {
    test('slow logins halve an endpoint’s mailboxes at once, fast ones raise it one at a time', async () => {
      const db = await openStateStore(await location());
      try {
        await insertEndpoints(db, ['new'], { max_mailboxes: 8, latency_threshold_ms: 500 });
        await insertEndpoints(db, ['old'], { max_mailboxes: 8 });
        const concurrency = async () =>
          mailboxLimit(
            await db.selectFrom('endpoint').selectAll().where('name', '=', 'new').executeTakeFirstOrThrow(),
          );
        let t = Date.parse('2027-01-04T00:00:00Z');
        // Fast logins on a server at its limit change nothing.
        assert.equal(await observeLoginLatency(db, 'new', 100, t), undefined);
        assert.equal(await concurrency(), 8);
        assert.deepEqual(await observeLoginLatency(db, 'new', 900, t), { endpoint: 'new', from: 8, to: 4 });
        // The rest of the same slow burst counts once.
        assert.equal(await observeLoginLatency(db, 'new', 900, t + 1_000), undefined);
        t += ADAPT_PACE.downAfterMs;
        assert.deepEqual(await observeLoginLatency(db, 'new', 900, t), { endpoint: 'new', from: 4, to: 2 });
        t += ADAPT_PACE.downAfterMs;
        await observeLoginLatency(db, 'new', 900, t);
        t += ADAPT_PACE.downAfterMs;
        assert.equal(await observeLoginLatency(db, 'new', 900, t), undefined, 'never below one');
        assert.equal(await concurrency(), 1);
        // Recovery: one more mailbox per quiet stretch, not all at once.
        assert.equal(await observeLoginLatency(db, 'new', 100, t + 1_000), undefined);
        t += ADAPT_PACE.upAfterMs;
        assert.deepEqual(await observeLoginLatency(db, 'new', 100, t), { endpoint: 'new', from: 1, to: 2 });
        // An endpoint without a threshold never adapts.
        assert.equal(await observeLoginLatency(db, 'old', 60_000, t), undefined);
        // Admission follows the lowered figure.
        const endpoints = await db.selectFrom('endpoint').selectAll().execute();
        const room = new EndpointRoom(endpoints, 1);
        const mailbox = { source_endpoint: 'old', target_endpoint: 'new' };
        room.acquire(room.holdsFor(mailbox));
        room.acquire(room.holdsFor(mailbox));
        assert.equal(room.fits(room.holdsFor(mailbox)), false);
        assert.deepEqual(room.full(), ['new']);
      } finally {
        await db.destroy();
      }
    });
  });
}
