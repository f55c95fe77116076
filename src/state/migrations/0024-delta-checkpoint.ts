import type { Kysely } from 'kysely';

/**
 * The delta pass (issue 18): a folder's checkpoint also keeps the source's UIDNEXT as the last
 * finished pass left it (lowered to its first message not copied), so a later pass lists only the
 * messages from there, and the target's UIDNEXT and HIGHESTMODSEQ as that pass found them.
 * Existing rows have none: their next pass lists the whole folder once, as before, and sets them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sync_folder').addColumn('source_uid_next', 'bigint').execute();
  await db.schema.alterTable('sync_folder').addColumn('target_uid_next', 'bigint').execute();
  await db.schema.alterTable('sync_folder').addColumn('target_highest_modseq', 'text').execute();
}
