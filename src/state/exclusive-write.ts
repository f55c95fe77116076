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
 * transaction-scoped advisory lock on PostgreSQL, a write (IMMEDIATE) transaction on SQLite. Every
 * read inside sees what the last holder wrote, so decisions on shared counts hold across workers.
 */
export async function withExclusiveWrite<T>(
  db: Kysely<Database>,
  key: number,
  work: (tx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  if (isPostgres(db)) {
    return db.transaction().execute(async (tx) => {
      await sql`select pg_advisory_xact_lock(${key})`.execute(tx);
      return work(tx);
    });
  }
  // better-sqlite3 has one connection per process, held here for the whole transaction.
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const result = await work(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (error) {
      await sql`rollback`.execute(conn);
      throw error;
    }
  });
}
