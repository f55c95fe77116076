import type { Kysely } from 'kysely';
import { openPostgres } from './postgres/open-postgres.js';
import type { Database } from './schema.js';
import { openSqlite } from './sqlite/open-sqlite.js';
import { isPostgresUrl } from './store-kind.js';

/** Opens the state store: a postgres:// (or postgresql://) URL, else a SQLite file path. */
export function openStateStore(location: string): Promise<Kysely<Database>> {
  return isPostgresUrl(location) ? openPostgres(location) : openSqlite(location);
}
