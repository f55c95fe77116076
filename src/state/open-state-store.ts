import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { openSqlite } from './sqlite/open-sqlite.js';
import { isPostgresUrl } from './store-kind.js';

/** Opens the state store: a postgres:// (or postgresql://) URL, else a SQLite file path. */
export async function openStateStore(location: string): Promise<Kysely<Database>> {
  if (!isPostgresUrl(location)) return openSqlite(location);
  // pg is loaded only for a PostgreSQL store: a SQLite process never holds it.
  const { openPostgres } = await import('./postgres/open-postgres.js');
  return openPostgres(location);
}
