import type { Kysely, Updateable } from 'kysely';
import type { Database, MailboxTable } from '../schema.js';

/** What discovery found about a mailbox: its logins and its size on the source. */
export type Discovery = Pick<
  Updateable<MailboxTable>,
  'source_login' | 'target_login' | 'folder_count' | 'message_count' | 'size_bytes' | 'discover_detail'
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
