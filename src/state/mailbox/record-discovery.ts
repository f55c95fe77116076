import type { Kysely, Updateable } from 'kysely';
import type { Database, MailboxTable } from '../schema.js';

/** What discovery found about a mailbox: its logins (mail and DAV) and its size on the source, per kind. */
export type Discovery = Pick<
  Updateable<MailboxTable>,
  | 'source_login'
  | 'target_login'
  | 'folder_count'
  | 'message_count'
  | 'size_bytes'
  | 'discover_detail'
  | 'source_dav_login'
  | 'target_dav_login'
  | 'calendar_count'
  | 'addressbook_count'
  | 'calendar_item_count'
  | 'contact_count'
>;

/** Records what discovery found for the mailbox at ADDRESS, and when. */
export async function recordDiscovery(
  db: Kysely<Database>,
  address: string,
  found: Discovery,
): Promise<void> {
  await db
    .updateTable('mailbox')
    .set({ ...found, discovered_at: new Date().toISOString() })
    .where('address', '=', address)
    .execute();
}
