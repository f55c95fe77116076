import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { fillPassEndpoints } from '../state/migrations/0010-pass-endpoints.js';
import { openStateStore } from '../state/open-state-store.js';
import type { Database } from '../state/schema.js';
import { insertEndpoints } from '../testing/state-rows.js';
import { storeBackends } from '../testing/store-backends.js';
import { withDefaults } from '../programme/config/config.js';
import { workerLoad } from './worker-load.js';

const now = new Date('2027-03-01T12:00:00.000Z');
const config = withDefaults({ name: 'load' }, '/tmp');

/** A mailbox from SOURCE to TARGET, with one pass of BYTES finished MINUTES before now. */
async function moved(
  db: Kysely<Database>,
  address: string,
  [source, target]: [string, string],
  bytes: number,
  minutes: number,
): Promise<void> {
  await db
    .insertInto('mailbox')
    .values({
      address,
      organisation: null,
      source_endpoint: source,
      source_user: address,
      source_secret: null,
      target_endpoint: target,
      target_user: address,
      target_secret: null,
      notify_address: address,
      state: 'prestaged',
    })
    .execute();
  const at = new Date(now.getTime() - minutes * 60_000).toISOString();
  await db
    .insertInto('pass')
    .values({
      id: `p-${address}`,
      mailbox: address,
      kind: 'prestage',
      worker: 'w',
      started_at: at,
      finished_at: at,
      outcome: 'ok',
      bytes,
    })
    .execute();
}

for (const [backend, location] of storeBackends()) {
  describe(`endpoint load (${backend})`, () => {
    test('bytes of the last hour per endpoint, from the passes (a pass within one endpoint counted once)', async () => {
      const db = await openStateStore(await location());
      try {
        await insertEndpoints(db, ['old', 'new', 'lab']);
        await moved(db, 'a@x.org', ['old', 'new'], 1_000, 5);
        await moved(db, 'b@x.org', ['old', 'new'], 200, 59);
        await moved(db, 'c@x.org', ['lab', 'lab'], 30, 10);
        await moved(db, 'd@x.org', ['old', 'new'], 99_999, 61);
        // Passes written before passes carried their endpoints take their mailbox's (migration 0010).
        await fillPassEndpoints(db);
        const load = await workerLoad(db, config, now);
        assert.deepEqual(
          load.endpoints.map((e) => [e.endpoint, e.bytesLastHour]),
          [
            ['lab', 30],
            ['new', 1_200],
            ['old', 1_200],
          ],
        );
        const pass = await db
          .selectFrom('pass')
          .selectAll()
          .where('id', '=', 'p-c@x.org')
          .executeTakeFirstOrThrow();
        assert.deepEqual([pass.source_endpoint, pass.target_endpoint], ['lab', 'lab']);
      } finally {
        await db.destroy();
      }
    });
  });
}
