import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { TrancheError } from '../../errors/tranche-error.js';
import { migrateToLatest } from '../migrate.js';
import type { Database } from '../schema.js';

/** Opens (creating when missing) a SQLite state file, with WAL and the schema migrated. */
export async function openSqlite(file: string): Promise<Kysely<Database>> {
  let handle: SQLite.Database;
  try {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    handle = new SQLite(file);
    handle.pragma('journal_mode = WAL');
    handle.pragma('synchronous = NORMAL');
    handle.pragma('busy_timeout = 5000');
  } catch (error) {
    throw new TrancheError('state', `cannot open state file ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: handle }) });
  await migrateToLatest(db as unknown as Kysely<unknown>);
  return db;
}
