import type { Kysely } from 'kysely';
import { Migrator, type Migration } from 'kysely/migration';
import { TrancheError } from '../errors/tranche-error.js';
import * as m0001 from './migrations/0001-sync-folder.js';
import * as m0002 from './migrations/0002-endpoint.js';
import * as m0003 from './migrations/0003-organisation-mailbox.js';
import * as m0004 from './migrations/0004-discovery.js';
import * as m0005 from './migrations/0005-lifecycle.js';
import * as m0006 from './migrations/0006-notices.js';
import * as m0007 from './migrations/0007-stalled-time.js';
import * as m0008 from './migrations/0008-workers.js';
import * as m0009 from './migrations/0009-tokens.js';
import * as m0010 from './migrations/0010-pass-endpoints.js';
import * as m0011 from './migrations/0011-mailbox-owner.js';
import * as m0012 from './migrations/0012-operations.js';
import * as m0013 from './migrations/0013-audit.js';
import * as m0014 from './migrations/0014-damaged-items.js';
import * as m0015 from './migrations/0015-endpoint-oauth.js';
import * as m0017 from './migrations/0017-dav-collection.js';
import * as m0018 from './migrations/0018-soak-runs.js';
import * as m0019 from './migrations/0019-service-profiles.js';
import * as m0023 from './migrations/0023-calendars-contacts.js';
import * as m0024 from './migrations/0024-delta-checkpoint.js';
import * as m0025 from './migrations/0025-deletes-checkpoint.js';
import * as m0026 from './migrations/0026-mailbox-target-index.js';
import * as m0027 from './migrations/0027-unread-target-marks.js';

/** Every migration, in order; forward only. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-sync-folder': m0001,
  '0002-endpoint': m0002,
  '0003-organisation-mailbox': m0003,
  '0004-discovery': m0004,
  '0005-lifecycle': m0005,
  '0006-notices': m0006,
  '0007-stalled-time': m0007,
  '0008-workers': m0008,
  '0009-tokens': m0009,
  '0010-pass-endpoints': m0010,
  '0011-mailbox-owner': m0011,
  '0012-operations': m0012,
  '0013-audit': m0013,
  '0014-damaged-items': m0014,
  '0015-endpoint-oauth': m0015,
  '0017-dav-collection': m0017,
  '0018-soak-runs': m0018,
  '0019-service-profiles': m0019,
  '0023-calendars-contacts': m0023,
  '0024-delta-checkpoint': m0024,
  '0025-deletes-checkpoint': m0025,
  '0026-mailbox-target-index': m0026,
  '0027-unread-target-marks': m0027,
};

function migratorOf(db: Kysely<unknown>): Migrator {
  return new Migrator({ db, provider: { getMigrations: () => Promise.resolve(MIGRATIONS) } });
}

/** Brings a database's schema up to date. */
export async function migrateToLatest(db: Kysely<unknown>): Promise<void> {
  const { error } = await migratorOf(db).migrateToLatest();
  if (error)
    throw new TrancheError(
      'state',
      `state store migration failed: ${error instanceof Error ? error.message : 'unknown error'}`,
      { cause: error },
    );
}

/**
 * SQLite: the pending migrations as one transaction that takes the write lock first (BEGIN
 * IMMEDIATE). A crash part-way leaves the schema as it was, not half-made; a second process opening
 * the same new file meanwhile waits and then finds nothing to do. A schema already up to date is
 * only read (no lock: an open must not wait for a long re-plan to commit).
 */
export async function migrateSqliteToLatest(db: Kysely<unknown>): Promise<void> {
  const pending = (await migratorOf(db).getMigrations()).some((m) => m.executedAt === undefined);
  if (!pending) return;
  await db
    .transaction()
    .setAccessMode('read write')
    .execute((trx) => migrateToLatest(trx));
}
