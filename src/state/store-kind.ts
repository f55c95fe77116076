import { PostgresAdapter } from 'kysely';

/** What the store kind is told from: any Kysely object (a store, a transaction, a connection). */
export interface StoreHandle {
  getExecutor(): { readonly adapter: unknown };
}

/**
 * Whether DB (or any Kysely object over the same store: a transaction, a connection, one made
 * withPlugin or withSchema) speaks to PostgreSQL, else SQLite. Told by the dialect's adapter, which
 * every such object shares, not by which object it is.
 */
export function isPostgres(db: StoreHandle): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** Whether a state store location is a PostgreSQL URL (postgres:// or postgresql://), else a SQLite file. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}
