import type SQLite from 'better-sqlite3';
import { SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver } from 'kysely';

/**
 * Kysely's SQLite driver, rolling back only a transaction that is still open: SQLite ends one itself
 * on a full disk or an I/O error (SQLITE_FULL, SQLITE_IOERR), and Kysely's ROLLBACK then failed with
 * "cannot rollback - no transaction is active", hiding the error that said what happened (exit 70
 * instead of the state error's 74).
 */
class StoreSqliteDriver extends SqliteDriver {
  readonly #handle: SQLite.Database;

  constructor(handle: SQLite.Database) {
    super({ database: handle });
    this.#handle = handle;
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.#handle.inTransaction) await super.rollbackTransaction(connection);
  }
}

/** The state store's SQLite dialect over one better-sqlite3 handle (see StoreSqliteDriver). */
export class StoreSqliteDialect extends SqliteDialect {
  readonly #handle: SQLite.Database;

  constructor(handle: SQLite.Database) {
    super({ database: handle });
    this.#handle = handle;
  }

  override createDriver(): Driver {
    return new StoreSqliteDriver(this.#handle);
  }
}
