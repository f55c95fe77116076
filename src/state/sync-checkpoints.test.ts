import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import type { FolderCheckpoint } from '../copy/checkpoint.js';
import { UidMap } from '../copy/uid-map.js';
import { storeBackends } from '../testing/store-backends.js';
import { openStateStore } from './open-state-store.js';
import type { Database } from './schema.js';
import { SyncCheckpoints } from './sync-checkpoints.js';

function checkpoint(folder: string, pairs: [number, number][]): FolderCheckpoint {
  const map = new UidMap();
  for (const [s, t] of pairs) map.set(s, t);
  return {
    sourceFolder: folder,
    targetFolder: `INBOX.${folder}`,
    sourceUidValidity: 4_000_000_001,
    targetUidValidity: 7,
    highestModseq: '715194045007',
    map,
    pending: {
      targetUidFloor: 42,
      messages: [{ sourceUid: 9, size: 1234, internalDate: 1_600_000_000_000 }],
    },
  };
}

const backends = storeBackends();

for (const [name, location] of backends) {
  describe(`checkpoint store on ${name}`, () => {
    test('a checkpoint round-trips: UIDVALIDITY above 2^31, modseq, UID map and pending batch', async () => {
      const db: Kysely<Database> = await openStateStore(await location());
      try {
        const store = new SyncCheckpoints(db);
        assert.equal(await store.load('alice', 'Résumé & co'), undefined);
        const saved = checkpoint('Résumé & co', [
          [1, 101],
          [2, 102],
          [5, 300],
        ]);
        await store.save('alice', saved);
        const loaded = await store.load('alice', 'Résumé & co');
        assert.ok(loaded);
        assert.deepEqual({ ...loaded, map: loaded.map.entries() }, { ...saved, map: saved.map.entries() });
      } finally {
        await db.destroy();
      }
    });

    test('the delta marks round-trip: a UIDNEXT above 2^31, a 64-bit modseq; absent ones stay absent', async () => {
      const db: Kysely<Database> = await openStateStore(await location());
      try {
        const store = new SyncCheckpoints(db);
        const saved = {
          ...checkpoint('INBOX', [[1, 1]]),
          pending: undefined,
          highestModseq: '18446744073709551615',
          sourceUidNext: 3_000_000_000,
          sourceMessagesAfterDeletes: 2_999_999_999,
        };
        await store.save('carol', saved);
        const loaded = await store.load('carol', 'INBOX');
        assert.ok(loaded);
        assert.deepEqual({ ...loaded, map: loaded.map.entries() }, { ...saved, map: saved.map.entries() });
        await store.save('dave', checkpoint('INBOX', [[1, 1]]));
        const plain = await store.load('dave', 'INBOX');
        assert.ok(plain);
        assert.equal('sourceUidNext' in plain, false);
        assert.equal('sourceMessagesAfterDeletes' in plain, false);
      } finally {
        await db.destroy();
      }
    });

    test('saving again updates in place; other mailboxes and folders are separate', async () => {
      const where = await location();
      let db = await openStateStore(where);
      try {
        const store = new SyncCheckpoints(db);
        await store.save('alice', checkpoint('INBOX', [[1, 1]]));
        await store.save('bob', checkpoint('INBOX', [[1, 50]]));
        const next = checkpoint('INBOX', [
          [1, 1],
          [2, 2],
        ]);
        next.pending = undefined;
        next.highestModseq = undefined;
        await store.save('alice', next);
        const rows = await db.selectFrom('sync_folder').select(['mailbox_key']).execute();
        assert.equal(rows.length, 2);
      } finally {
        await db.destroy();
      }
      // Migrations run again on open and change nothing; the data is still there.
      db = await openStateStore(where);
      try {
        const store = new SyncCheckpoints(db);
        const alice = await store.load('alice', 'INBOX');
        assert.deepEqual(alice?.map.entries(), [
          [1, 1],
          [2, 2],
        ]);
        assert.equal(alice?.pending, undefined);
        assert.equal(alice?.highestModseq, undefined);
        assert.deepEqual((await store.load('bob', 'INBOX'))?.map.entries(), [[1, 50]]);
      } finally {
        await db.destroy();
      }
    });
  });
}
