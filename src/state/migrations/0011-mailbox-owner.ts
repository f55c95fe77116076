import type { Kysely } from 'kysely';

/**
 * The mailbox row's skipped-item count is no longer stored: it is counted from the skipped_item rows,
 * which every pass keeps (and which other kinds of skipped items join), so the two can never disagree.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('mailbox').dropColumn('skipped_items').execute();
}
