import assert from 'node:assert/strict';
import { test } from 'node:test';
import SQLite from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import { storeBackends } from '../testing/store-backends.js';
import { tempStatePath } from '../testing/sync-fixture.js';
import { LOCK, withExclusiveWrite } from './exclusive-write.js';
import { openStateStore } from './open-state-store.js';
import type { Database } from './schema.js';

/** A scratch table beside the schema, to fill in a test. */
async function scratch(db: Kysely<Database>): Promise<void> {
  await sql`create table scratch (x text)`.execute(db);
}

async function scratchRows(db: Kysely<Database>): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from scratch`.execute(db);
  return Number(rows[0]?.n);
}

class WorkFailed extends Error {}

for (const [backend, location] of storeBackends()) {
  test(`on ${backend}: a failing exclusive write is rolled back whole and its own error comes out`, async () => {
    const db = await openStateStore(await location());
    try {
      await scratch(db);
      await assert.rejects(
        withExclusiveWrite(db, LOCK.claim, async (tx) => {
          await sql`insert into scratch values ('a')`.execute(tx);
          throw new WorkFailed('the work failed');
        }),
        WorkFailed,
      );
      assert.equal(await scratchRows(db), 0);
      // The store goes on: the next exclusive write commits.
      await withExclusiveWrite(db, LOCK.claim, (tx) => sql`insert into scratch values ('b')`.execute(tx));
      assert.equal(await scratchRows(db), 1);
    } finally {
      await db.destroy();
    }
  });
}

test('on SQLite: a full disk (SQLITE_FULL, which ends the transaction itself) comes out as such, not as a failed ROLLBACK', async () => {
  const db = await openStateStore(tempStatePath());
  try {
    await scratch(db);
    const { rows } = await sql<{ page_count: number }>`pragma page_count`.execute(db);
    // Room for a few pages more: the transaction below runs out of it.
    await sql.raw(`pragma max_page_count = ${Number(rows[0]?.page_count) + 8}`).execute(db);
    const full = await withExclusiveWrite(db, LOCK.secrets, async (tx) => {
      for (let i = 0; i < 200; i++) await sql`insert into scratch values (${'x'.repeat(4000)})`.execute(tx);
    }).then(
      () => new Error('the transaction did not run out of room'),
      (error: unknown) => error,
    );
    assert.equal((full as { code?: string }).code, 'SQLITE_FULL', String(full));
    assert.doesNotMatch(String(full), /cannot rollback/);
    assert.equal(await scratchRows(db), 0);
    await sql.raw('pragma max_page_count = 1073741823').execute(db);
    await withExclusiveWrite(db, LOCK.secrets, (tx) => sql`insert into scratch values ('after')`.execute(tx));
    assert.equal(await scratchRows(db), 1);
  } finally {
    await db.destroy();
  }
});

test('on SQLite: a writer in another process past the busy timeout (SQLITE_BUSY) comes out as such; the write runs once it has gone', async () => {
  const file = tempStatePath();
  const db = await openStateStore(file);
  const other = new SQLite(file);
  try {
    await scratch(db);
    await sql`pragma busy_timeout = 50`.execute(db);
    other.exec('begin immediate');
    let ran = false;
    const busy = await withExclusiveWrite(db, LOCK.endpoint, async () => {
      ran = true;
      return Promise.resolve();
    }).then(
      () => new Error('the write ran beside another writer'),
      (error: unknown) => error,
    );
    assert.equal((busy as { code?: string }).code, 'SQLITE_BUSY', String(busy));
    assert.equal(ran, false, 'the work never starts without the write lock');
    other.exec('rollback');
    await withExclusiveWrite(db, LOCK.endpoint, (tx) =>
      sql`insert into scratch values ('later')`.execute(tx),
    );
    assert.equal(await scratchRows(db), 1);
  } finally {
    other.close();
    await db.destroy();
  }
});
