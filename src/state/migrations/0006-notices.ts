import type { Kysely } from 'kysely';

/**
 * The notice ledger: one row per (subject, kind, day) — subject a mailbox address, or 'org:CODE' for an
 * organisation's digest — so each notice is sent once however often the runner looks or restarts.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('notice')
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('organisation', 'text')
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('message_id', 'text')
    .addColumn('recipients', 'text')
    .addColumn('sent_at', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('notice_pk', ['subject', 'kind', 'day'])
    .execute();
  await db.schema.createIndex('notice_due').on('notice').columns(['state', 'due_at']).execute();
}
