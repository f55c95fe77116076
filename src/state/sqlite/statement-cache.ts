import type SQLite from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Statements kept: the store's queries are a few dozen shapes; lists of varying length add more. */
const DEFAULT_SIZE = 256;

/**
 * The better-sqlite3 handle as Kysely sees it, with its prepared statements kept and reused:
 * Kysely prepares every query anew, and preparing was a third of the state store's CPU in a copy
 * (docs/ARCHITECTURE.md, "Where the CPU goes"). The least recently used statement is dropped past
 * `size`; one still being iterated (a streamed query) is never handed out twice.
 */
export class StatementCache implements SqliteDatabase {
  readonly #statements = new Map<string, SQLite.Statement>();

  constructor(
    private readonly handle: SQLite.Database,
    private readonly size = DEFAULT_SIZE,
  ) {}

  prepare(sql: string): SqliteStatement {
    const kept = this.#statements.get(sql);
    if (kept !== undefined && !kept.busy) {
      this.#statements.delete(sql);
      this.#statements.set(sql, kept);
      return kept;
    }
    const statement = this.handle.prepare(sql);
    if (kept === undefined) {
      this.#statements.set(sql, statement);
      if (this.#statements.size > this.size) {
        const oldest = this.#statements.keys().next().value as string;
        this.#statements.delete(oldest);
      }
    }
    return statement;
  }

  close(): void {
    this.#statements.clear();
    this.handle.close();
  }
}
