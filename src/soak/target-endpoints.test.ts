import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { openStateStore } from '../state/open-state-store.js';
import { upsertMailboxes } from '../state/mailbox/upsert-mailboxes.js';
import { insertEndpoints } from '../testing/state-rows.js';
import { storeBackends } from '../testing/store-backends.js';
import { targetEndpoints } from './soak-gate.js';

/** targetEndpoints' probe for an endpoint no mailbox moves onto, as its plan is asked. */
const PROBE = "select address from mailbox where target_endpoint = 'old' limit 1";

for (const [backend, location] of storeBackends()) {
  describe(`the endpoints mailboxes move onto (${backend})`, () => {
    test('are those some mailbox names as its target, each found through the target index', async () => {
      const db = await openStateStore(await location());
      try {
        await insertEndpoints(db, ['old', 'new', 'spare']);
        await db
          .insertInto('organisation')
          .values({ code: 'A', name: 'Trust A', admin_contacts: '', pilot: 0, blackout_dates: '' })
          .execute();
        await upsertMailboxes(
          db,
          Array.from({ length: 50 }, (_, i) => ({
            address: `user${i}@a.org`,
            organisation: 'A',
            source_endpoint: 'old',
            source_user: `user${i}`,
            target_endpoint: 'new',
            target_user: `user${i}@a.org`,
            notify_address: `user${i}@a.org`,
          })),
        );
        assert.deepEqual(await targetEndpoints(db), ['new']);
        // Without the index, a probe for an endpoint no mailbox moves onto ('old', 'spare') scans
        // every mailbox: ~80 ms each at 2,100,000 mailboxes on PostgreSQL.
        let plan: string;
        if (backend === 'SQLite') {
          const rows = await sql<{ detail: string }>`explain query plan ${sql.raw(PROBE)}`.execute(db);
          plan = rows.rows.map((r) => r.detail).join('\n');
        } else {
          plan = await db.transaction().execute(async (trx) => {
            // Scans priced out, so that the plan shows whether the index can answer (over 50 rows a
            // scan would otherwise win).
            await sql`set local enable_seqscan = off`.execute(trx);
            const rows = await sql<{ 'QUERY PLAN': string }>`explain ${sql.raw(PROBE)}`.execute(trx);
            return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
          });
        }
        assert.match(plan, /mailbox_target_endpoint/, plan);
      } finally {
        await db.destroy();
      }
    });
  });
}
