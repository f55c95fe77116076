import { sql, type Kysely } from 'kysely';

/** The DAV copy's checkpoints: one row per (account pair, source collection). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('dav_collection')
    .addColumn('account_key', 'text', (c) => c.notNull())
    .addColumn('source_collection', 'text', (c) => c.notNull())
    .addColumn('target_collection', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('sync_token', 'text')
    .addColumn('item_map', 'bytea', (c) => c.notNull())
    .addColumn('retry', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull().defaultTo(sql`CURRENT_TIMESTAMP`))
    .addPrimaryKeyConstraint('dav_collection_pk', ['account_key', 'source_collection'])
    .execute();
}
