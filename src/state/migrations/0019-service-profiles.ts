import type { Kysely } from 'kysely';

/**
 * Service profiles (issue 14): a folder's checkpoint remembers the keywords its target does not keep
 * (left off and left out by verify); an endpoint may allow each mailbox only so many bytes a day
 * (Gmail's upload allowance); a mailbox counts what it received in its current day window, and says
 * what it is waiting for when it stopped at the allowance.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sync_folder').addColumn('keywords_not_kept', 'text').execute();
  await db.schema.alterTable('endpoint').addColumn('bytes_per_mailbox_per_day', 'bigint').execute();
  await db.schema.alterTable('mailbox').addColumn('allowance_from', 'text').execute();
  await db.schema
    .alterTable('mailbox')
    .addColumn('allowance_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('mailbox').addColumn('waiting_for', 'text').execute();
}
