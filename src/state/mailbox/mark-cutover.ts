import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** The final pass begins: the mailbox is past its cutover (only its lease holder says so). */
export async function markCutover(db: Kysely<Database>, address: string, owner: string): Promise<void> {
  await db
    .updateTable('mailbox')
    .set({ state: 'cutover' })
    .where('address', '=', address)
    .where('lease_owner', '=', owner)
    .execute();
}
