import type { Kysely } from 'kysely';

/**
 * Drops the target's UIDNEXT and HIGHESTMODSEQ that migration 0024 added to a folder's checkpoint:
 * no pass ever read them. A pass trusts its UID map by the two UIDVALIDITYs and the target folder's
 * name, and changes made at the target alone are not a pass's to undo (unchanged-folder.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sync_folder').dropColumn('target_uid_next').execute();
  await db.schema.alterTable('sync_folder').dropColumn('target_highest_modseq').execute();
}
