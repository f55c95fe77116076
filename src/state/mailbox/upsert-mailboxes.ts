import type { Insertable, Kysely } from 'kysely';
import type { Database, MailboxTable } from '../schema.js';

/** A mailbox as an import list registers it: where it is, where it goes, whom to tell. */
export type MailboxRegistration = Pick<
  Insertable<MailboxTable>,
  | 'address'
  | 'organisation'
  | 'display_name'
  | 'source_endpoint'
  | 'source_user'
  | 'source_secret'
  | 'target_endpoint'
  | 'target_user'
  | 'target_secret'
  | 'notify_address'
>;

/**
 * Registers mailboxes: new addresses are inserted (imported), known ones take the new registration
 * and keep their progress (day, state, copies).
 */
export async function upsertMailboxes(
  db: Kysely<Database>,
  rows: readonly MailboxRegistration[],
): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('mailbox')
    .values([...rows])
    .onConflict((c) =>
      c.column('address').doUpdateSet((eb) => ({
        organisation: eb.ref('excluded.organisation'),
        display_name: eb.ref('excluded.display_name'),
        source_endpoint: eb.ref('excluded.source_endpoint'),
        source_user: eb.ref('excluded.source_user'),
        source_secret: eb.ref('excluded.source_secret'),
        target_endpoint: eb.ref('excluded.target_endpoint'),
        target_user: eb.ref('excluded.target_user'),
        target_secret: eb.ref('excluded.target_secret'),
        notify_address: eb.ref('excluded.notify_address'),
        updated_at: new Date().toISOString(),
      })),
    )
    .execute();
}
