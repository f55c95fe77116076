import { sql, type Kysely } from 'kysely';

/** Organisations and their mailboxes: what a programme moves. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('organisation')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('admin_contacts', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('pilot', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('blackout_dates', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('updated_at', 'text', (c) => c.notNull().defaultTo(sql`CURRENT_TIMESTAMP`))
    .execute();
  await db.schema
    .createTable('mailbox')
    .addColumn('address', 'text', (c) => c.primaryKey())
    .addColumn('organisation', 'text', (c) => c.references('organisation.code'))
    .addColumn('display_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('source_endpoint', 'text', (c) => c.notNull().references('endpoint.name'))
    .addColumn('source_user', 'text', (c) => c.notNull())
    .addColumn('source_secret', 'text')
    .addColumn('target_endpoint', 'text', (c) => c.notNull().references('endpoint.name'))
    .addColumn('target_user', 'text', (c) => c.notNull())
    .addColumn('target_secret', 'text')
    .addColumn('notify_address', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('imported'))
    .addColumn('updated_at', 'text', (c) => c.notNull().defaultTo(sql`CURRENT_TIMESTAMP`))
    .execute();
  await db.schema.createIndex('mailbox_organisation').on('mailbox').column('organisation').execute();
}
