import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WithSchemaPlugin, type Kysely } from 'kysely';
import { storeBackends } from '../testing/store-backends.js';
import { withExclusiveWrite } from './exclusive-write.js';
import { openStateStore } from './open-state-store.js';
import type { Database } from './schema.js';
import { isPostgres } from './store-kind.js';

for (const [name, location] of storeBackends()) {
  test(`${name}: the store kind is told the same for every Kysely object over one store`, async () => {
    const db: Kysely<Database> = await openStateStore(await location());
    try {
      const expected = name === 'PostgreSQL';
      assert.equal(isPostgres(db), expected);
      // A second object over the same store (the WeakSet this replaced did not know these).
      assert.equal(isPostgres(db.withPlugin(new WithSchemaPlugin('public'))), expected);
      assert.equal(isPostgres(db.withoutPlugins()), expected);
      await db.transaction().execute((tx) => {
        assert.equal(isPostgres(tx), expected);
        return Promise.resolve();
      });
      // An exclusive write through such an object takes the store's own way (no SQLite BEGIN on PostgreSQL).
      const seen = await withExclusiveWrite(db.withoutPlugins(), 1, (tx) =>
        tx
          .selectFrom('endpoint')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow(),
      );
      assert.equal(Number(seen.n), 0);
    } finally {
      await db.destroy();
    }
  });
}
