import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * OWNER lets the mailbox at ADDRESS go as it is, its step still due (the runner is stopping, or the
 * mailbox was held): whoever claims it next resumes from the checkpoints.
 */
export async function letGo(db: Kysely<Database>, address: string, owner: string): Promise<void> {
  await db
    .updateTable('mailbox')
    .set({ lease_owner: null, lease_until: null })
    .where('address', '=', address)
    .where('lease_owner', '=', owner)
    .execute();
}
