import { sql, type Kysely } from 'kysely';

/**
 * The endpoints a pass copied between, on the pass itself: the bytes each endpoint moved in the last
 * hour (`status --workers`, /metrics) are then read from the recent passes alone, instead of joining
 * each of them to its mailbox (150 ms per endpoint for 20,000 passes on a programme of millions).
 * Existing passes take their mailbox's endpoints.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('pass').addColumn('source_endpoint', 'text').execute();
  await db.schema.alterTable('pass').addColumn('target_endpoint', 'text').execute();
  await fillPassEndpoints(db);
}

/** Gives the passes without endpoints those of their mailbox. */
export async function fillPassEndpoints<DB>(db: Kysely<DB>): Promise<void> {
  await sql`UPDATE pass SET
      source_endpoint = (SELECT source_endpoint FROM mailbox WHERE mailbox.address = pass.mailbox),
      target_endpoint = (SELECT target_endpoint FROM mailbox WHERE mailbox.address = pass.mailbox)
    WHERE source_endpoint IS NULL AND target_endpoint IS NULL`.execute(db);
}
