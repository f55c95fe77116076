import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { inTextSet } from '../text-set.js';

/**
 * Cancels the notices of SUBJECTS not yet sent (pending), with the reason people gave: a held or
 * excluded user is told nothing until released. Returns how many were cancelled.
 */
export async function cancelPendingNotices(
  db: Kysely<Database>,
  subjects: readonly string[],
  reason: string,
): Promise<number> {
  const result = await db
    .updateTable('notice')
    .set({ state: 'cancelled', error: reason })
    .where(inTextSet(db, 'subject', subjects))
    .where('state', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
