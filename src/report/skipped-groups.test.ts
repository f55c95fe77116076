import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { openStateStore } from '../state/open-state-store.js';
import type { Database } from '../state/schema.js';
import { storeBackends } from '../testing/store-backends.js';
import { insertEndpoints } from '../testing/state-rows.js';
import { skippedGroups } from './skipped-groups.js';

/** [address, organisation, [kind, folder, uid, reason][]]: two organisations' skipped items. */
const ROWS: [string, string, [string, string, number, string][]][] = [
  ['a1@a.org', 'A', [['unreadable-at-source', 'INBOX', 4, 'BAD fetch']]],
  [
    'a2@a.org',
    'A',
    [
      ['unreadable-at-source', 'INBOX', 9, 'BAD fetch'],
      ['refused-by-target', 'Sent', 2, 'message too large'],
    ],
  ],
  ['a3@a.org', 'A', []],
  [
    'b1@b.org',
    'B',
    [
      ['unreadable-at-source', 'Old', 1, 'NO read failed'],
      ['unreadable-at-source', 'Old', 2, 'NO read failed'],
      ['unreadable-at-source', 'Old', 3, 'BAD fetch'],
    ],
  ],
];

async function seed(db: Kysely<Database>): Promise<void> {
  await insertEndpoints(db, ['old', 'new']);
  await db
    .insertInto('organisation')
    .values(
      ['A', 'B', 'Z'].map((code) => ({ code, name: code, admin_contacts: '', pilot: 0, blackout_dates: '' })),
    )
    .execute();
  for (const [address, organisation, items] of ROWS) {
    await db
      .insertInto('mailbox')
      .values({
        address,
        organisation,
        source_endpoint: 'old',
        source_user: address,
        target_endpoint: 'new',
        target_user: address,
        notify_address: address,
      })
      .execute();
    for (const [kind, folder, uid, reason] of items)
      await db
        .insertInto('skipped_item')
        .values({
          mailbox: address,
          kind,
          folder,
          uid,
          size: 10,
          reason,
          recorded_at: '2027-03-03T12:00:00.000Z',
        })
        .execute();
  }
}

for (const [backend, location] of storeBackends()) {
  describe(`skipped items by kind on ${backend}`, () => {
    test('the whole programme, one organisation, several, none', async () => {
      const db = await openStateStore(await location());
      try {
        await seed(db);
        assert.deepEqual(await skippedGroups(db), [
          {
            kind: 'unreadable-at-source',
            items: 5,
            mailboxes: 3,
            reasons: [
              { reason: 'BAD fetch', count: 3 },
              { reason: 'NO read failed', count: 2 },
            ],
            examples: ['a1@a.org', 'a2@a.org', 'b1@b.org'],
          },
          {
            kind: 'refused-by-target',
            items: 1,
            mailboxes: 1,
            reasons: [{ reason: 'message too large', count: 1 }],
            examples: ['a2@a.org'],
          },
        ]);
        const a = await skippedGroups(db, 'A');
        assert.deepEqual(
          a.map((g) => [g.kind, g.items, g.mailboxes, g.reasons, g.examples]),
          [
            ['unreadable-at-source', 2, 2, [{ reason: 'BAD fetch', count: 2 }], ['a1@a.org', 'a2@a.org']],
            ['refused-by-target', 1, 1, [{ reason: 'message too large', count: 1 }], ['a2@a.org']],
          ],
        );
        const b = await skippedGroups(db, ['B', 'Z']);
        assert.deepEqual(
          b.map((g) => [g.kind, g.items, g.mailboxes, g.examples]),
          [['unreadable-at-source', 3, 1, ['b1@b.org']]],
        );
        assert.deepEqual(await skippedGroups(db, 'Z'), []);
        assert.deepEqual(await skippedGroups(db, []), []);
      } finally {
        await db.destroy();
      }
    });
  });
}
