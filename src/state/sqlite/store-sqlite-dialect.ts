import type SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type TransactionSettings,
} from 'kysely';
import { StatementCache } from './statement-cache.js';

/**
 * Kysely's SQLite driver, with its statements kept (StatementCache) and two changes. It rolls back only a transaction that is still open:
 * SQLite ends one itself on a full disk or an I/O error (SQLITE_FULL, SQLITE_IOERR), and Kysely's
 * ROLLBACK then failed with "cannot rollback - no transaction is active", hiding the error that
 * said what happened (exit 70 instead of the state error's 74). And a transaction declared
 * `read write` (setAccessMode) begins IMMEDIATE: it takes the write lock at once, waiting out
 * another writer within the busy timeout, where a deferred one that reads first fails with
 * SQLITE_BUSY ("database is locked") on its first write if another process wrote meanwhile.
 */
class StoreSqliteDriver extends SqliteDriver {
  readonly #handle: SQLite.Database;

  constructor(handle: SQLite.Database) {
    super({ database: new StatementCache(handle) });
    this.#handle = handle;
  }

  override async beginTransaction(
    connection: DatabaseConnection,
    // Kysely passes the settings (its Driver interface), though SqliteDriver's own type omits them.
    settings?: TransactionSettings,
  ): Promise<void> {
    if (settings?.accessMode === 'read write')
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    else await super.beginTransaction(connection);
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.#handle.inTransaction) await super.rollbackTransaction(connection);
  }
}

/**
 * SQLite does run schema changes inside a transaction (Kysely's adapter says not, so its migrator
 * refused one): a fresh state's migrations are one transaction, not one commit per statement.
 */
class StoreSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/** The state store's SQLite dialect over one better-sqlite3 handle (see StoreSqliteDriver), its statements kept (StatementCache). */
export class StoreSqliteDialect extends SqliteDialect {
  readonly #handle: SQLite.Database;

  constructor(handle: SQLite.Database) {
    super({ database: handle });
    this.#handle = handle;
  }

  override createDriver(): Driver {
    return new StoreSqliteDriver(this.#handle);
  }

  override createAdapter(): DialectAdapter {
    return new StoreSqliteAdapter();
  }
}
