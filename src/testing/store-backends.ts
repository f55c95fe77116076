// Test fixture: the two state store backends, for tests that must hold on both.
import { after, before } from 'node:test';
import { startPostgres, type PostgresServer } from './postgres.js';
import { tempStatePath } from './sync-fixture.js';

/** A backend by name, and a fresh, empty store location on it per call. */
export type StoreBackend = readonly [name: 'SQLite' | 'PostgreSQL', location: () => Promise<string>];

/**
 * SQLite (a temporary file) and PostgreSQL (a throwaway cluster, started once for the calling test
 * file and stopped after it; each location is a new database). Call at the top level of a test file.
 */
export function storeBackends(): StoreBackend[] {
  let postgres: PostgresServer | undefined;
  before(async () => {
    postgres = await startPostgres();
  });
  after(async () => {
    await postgres?.stop();
  });
  return [
    ['SQLite', () => Promise.resolve(tempStatePath())],
    ['PostgreSQL', () => postgres!.createDatabase()],
  ];
}
