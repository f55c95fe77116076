import { sql, type Kysely } from 'kysely';

/** The copy engine's per-folder checkpoints. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sync_folder')
    .addColumn('mailbox_key', 'text', (c) => c.notNull())
    .addColumn('source_folder', 'text', (c) => c.notNull())
    .addColumn('target_folder', 'text', (c) => c.notNull())
    .addColumn('source_uid_validity', 'bigint', (c) => c.notNull())
    .addColumn('target_uid_validity', 'bigint', (c) => c.notNull())
    .addColumn('highest_modseq', 'text')
    // bytea: PostgreSQL's binary type; SQLite stores the Buffer as a BLOB whatever the declared type.
    .addColumn('uid_map', 'bytea', (c) => c.notNull())
    .addColumn('pending', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull().defaultTo(sql`CURRENT_TIMESTAMP`))
    .addPrimaryKeyConstraint('sync_folder_pk', ['mailbox_key', 'source_folder'])
    .execute();
}
