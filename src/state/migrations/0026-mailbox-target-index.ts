import type { Kysely } from 'kysely';

/**
 * The mailboxes by target endpoint: the soak gate asks, per endpoint, whether any mailbox moves onto
 * it (targetEndpoints, on every dashboard overview, `tranche status` and each runner claim when a
 * soak is required). Without this index each endpoint no mailbox moves onto cost a scan of every
 * mailbox: ~0.5 s per overview at 2,100,000 mailboxes on PostgreSQL.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('mailbox_target_endpoint').on('mailbox').column('target_endpoint').execute();
}
