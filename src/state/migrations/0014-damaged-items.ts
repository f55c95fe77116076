import type { Kysely } from 'kysely';

/**
 * Damage costs only itself (issue 15): a skipped item says what kind it is (a message the target
 * refused, one the source could not read, a folder either side refused, a message the target
 * altered), and a folder's checkpoint remembers the source UIDs found unreadable, so a later pass
 * gives each one try on its own. Existing items were all refused by the target.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('skipped_item')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('refused-by-target'))
    .execute();
  await db.schema.alterTable('sync_folder').addColumn('unreadable', 'text').execute();
}
