import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * Frees the leases of mailboxes held by OWNERS (processes known to be gone), each only while that
 * owner still holds it. Returns how many were freed.
 */
export async function freeLeasesOf(
  db: Kysely<Database>,
  held: readonly { address: string; lease_owner: string }[],
): Promise<number> {
  let freed = 0;
  for (const m of held) {
    const result = await db
      .updateTable('mailbox')
      .set({ lease_owner: null, lease_until: null })
      .where('address', '=', m.address)
      .where('lease_owner', '=', m.lease_owner)
      .executeTakeFirst();
    freed += Number(result.numUpdatedRows);
  }
  return freed;
}
