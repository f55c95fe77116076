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
    // A writer waits for another's transaction (a full re-plan of millions takes tens of seconds)
    // rather than failing; a larger page cache keeps bulk updates of big programmes off the disk.
    handle.pragma('busy_timeout = 120000');
    handle.pragma('cache_size = -131072');
  } catch (error) {
    throw new TrancheError('state', `cannot open state file ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: handle }) });
  await migrateToLatest(db as unknown as Kysely<unknown>);
  return db;
}
