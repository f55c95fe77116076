import { sql, type Kysely } from 'kysely';

/** Source and target servers of a programme, with their limits; the admin password sealed. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('endpoint')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('insecure', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('allow_plaintext', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('admin', 'text')
    .addColumn('login_template', 'text')
    .addColumn('admin_secret', 'text')
    .addColumn('max_connections', 'integer', (c) => c.notNull())
    .addColumn('max_mailboxes', 'integer', (c) => c.notNull())
    .addColumn('bytes_per_hour', 'bigint')
    .addColumn('max_message_size', 'bigint')
    .addColumn('created_at', 'text', (c) => c.notNull().defaultTo(sql`CURRENT_TIMESTAMP`))
    .execute();
}
