import type { Kysely } from 'kysely';

/**
 * Calendars and contacts in the programme (issue 19): an endpoint's DAV address, what discovery
 * finds on each mailbox's DAV side (the logins, calendars, address books and their items), and the
 * items each pass moved per kind, with their totals on the mailbox.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('endpoint').addColumn('dav_url', 'text').execute();
  const mailbox: [string, 'integer' | 'bigint' | 'text', number?][] = [
    ['source_dav_login', 'text'],
    ['target_dav_login', 'text'],
    ['calendar_count', 'integer'],
    ['addressbook_count', 'integer'],
    ['calendar_item_count', 'bigint'],
    ['contact_count', 'bigint'],
    ['copied_calendar_items', 'bigint', 0],
    ['copied_contacts', 'bigint', 0],
  ];
  for (const [name, type, fallback] of mailbox) {
    await db.schema
      .alterTable('mailbox')
      .addColumn(name, type, (c) => (fallback === undefined ? c : c.notNull().defaultTo(fallback)))
      .execute();
  }
  for (const name of ['calendar_items', 'contacts']) {
    await db.schema
      .alterTable('pass')
      .addColumn(name, 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
  }
}
