import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely } from 'kysely';
import { StoreSqliteDialect } from './store-sqlite-dialect.js';
import { TrancheError } from '../../errors/tranche-error.js';
import { migrateSqliteToLatest } from '../migrate.js';
import type { Database } from '../schema.js';

/**
 * Refuses, with a message naming it, a -wal or -shm file left that cannot be written: SQLite maps
 * the -shm file into memory, and one it cannot write ended the process (SIGBUS) or a write with
 * "readonly database". A missing state file is created 0600 whatever the umask (SQLite gives its
 * -wal and -shm files the database file's mode).
 */
function prepareFiles(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  for (const companion of [file, `${file}-wal`, `${file}-shm`]) {
    if (!existsSync(companion)) continue;
    try {
      closeSync(openSync(companion, 'r+'));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new TrancheError(
        'state',
        `cannot write ${companion} (${code}): the state store needs to write it; check its owner, mode and attributes (lsattr)`,
        { cause: error },
      );
    }
  }
}

/** Opens (creating when missing) a SQLite state file, with WAL and the schema migrated. */
export async function openSqlite(file: string): Promise<Kysely<Database>> {
  let handle: SQLite.Database;
  if (file !== ':memory:') prepareFiles(file);
  try {
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
  const db = new Kysely<Database>({ dialect: new StoreSqliteDialect(handle) });
  await migrateSqliteToLatest(db as unknown as Kysely<unknown>);
  return db;
}
