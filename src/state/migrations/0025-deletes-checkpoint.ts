import type { Kysely } from 'kysely';

/**
 * Passes with --propagate-deletes leave unchanged folders unopened too: a folder's checkpoint keeps
 * the source's message count as the last finished pass that brought deletions across left it (null
 * after a pass that did not). A later such pass that finds the same count and the same UIDNEXT knows
 * nothing was expunged since, with or without QRESYNC. Existing rows have none: their next pass with
 * --propagate-deletes opens the folder once, as before, and sets it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sync_folder').addColumn('source_messages_after_deletes', 'bigint').execute();
}
