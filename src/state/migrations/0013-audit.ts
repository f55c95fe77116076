import type { Kysely } from 'kysely';

/**
 * The audit trail: every change people make to the programme (who, what, when, why, before and
 * after), written in the same transaction as the change. Read by subject (one mailbox's trail), by
 * organisation, and by time.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('organisation', 'text')
    .addColumn('reason', 'text')
    .addColumn('before', 'text')
    .addColumn('after', 'text')
    .execute();
  await db.schema.createIndex('audit_subject').on('audit').columns(['subject', 'at']).execute();
  await db.schema.createIndex('audit_organisation').on('audit').columns(['organisation', 'at']).execute();
  await db.schema.createIndex('audit_at').on('audit').columns(['at']).execute();
  // The held and excluded lines of every report count these without reading the whole table.
  await db.schema.createIndex('mailbox_hold').on('mailbox').columns(['hold_reason']).execute();
  await db.schema.createIndex('mailbox_exclude').on('mailbox').columns(['exclude_reason']).execute();
}
