import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { TrancheError } from '../../errors/tranche-error.js';
import { migrateToLatest } from '../migrate.js';
import type { Database } from '../schema.js';

/** Connections to PostgreSQL per process; the programme's workers each have their own pool. */
const POOL_SIZE = 10;

/** Opens a PostgreSQL state store (a postgres:// URL; the password best from PGPASSWORD or ~/.pgpass) and migrates it. */
export async function openPostgres(url: string): Promise<Kysely<Database>> {
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE });
  // An idle client's error (server restart) must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await migrateToLatest(db as unknown as Kysely<unknown>);
  } catch (error) {
    await db.destroy();
    const reason = error instanceof Error ? error.message : 'unknown error';
    // The URL may hold a password: name only host and database.
    const where = new URL(url);
    throw new TrancheError(
      'state',
      `cannot open PostgreSQL state store at ${where.host}${where.pathname}: ${reason}`,
      {
        cause: error,
      },
    );
  }
  return db;
}
