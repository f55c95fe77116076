import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';
import { isPostgres } from './store-kind.js';

/** Keys of the programme-wide locks: one per kind of decision that must not be taken twice at once. */
export const LOCK = {
  /** Admitting mailboxes within the endpoints' shared limits. */
  claim: 7_310_001,
  /** Drawing from an endpoint's shared byte budget, or changing its concurrency. */
  endpoint: 7_310_002,
  /** Re-sealing every stored secret with a new key. */
  secrets: 7_310_003,
} as const;

/**
 * Runs WORK in a transaction that no other process runs at the same time under the same KEY: a
 * transaction-scoped advisory lock on PostgreSQL, a write (IMMEDIATE) transaction on SQLite, which
 * the dialect begins for a `read write` transaction (src/state/sqlite/store-sqlite-dialect.ts) and
 * rolls back only while SQLite has not already done so itself. Every read inside sees what the
 * last holder wrote, so decisions on shared counts hold across workers.
 */
export async function withExclusiveWrite<T>(
  db: Kysely<Database>,
  key: number,
  work: (tx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  return db
    .transaction()
    .setAccessMode('read write')
    .execute(async (tx) => {
      // SQLite has one writer at a time already; PostgreSQL's writers queue on the key.
      if (isPostgres(db)) await sql`select pg_advisory_xact_lock(${key})`.execute(tx);
      return work(tx);
    });
}
