import type { Kysely } from 'kysely';

/**
 * The mailboxes by target endpoint: the soak gate asks, per endpoint, whether any mailbox moves onto
 * it (targetEndpoints, on every dashboard overview, in `tranche status` and at each runner claim when
 * a soak is required). Without this index each endpoint no mailbox moves onto cost a scan of every
 * mailbox (~80 ms at 2,100,000 on PostgreSQL; with it, an index look-up).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('mailbox_target_endpoint').on('mailbox').column('target_endpoint').execute();
}
