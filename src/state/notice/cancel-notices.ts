import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { byTextChunks, inTextSet } from '../text-set.js';

/**
 * Cancels the notices of SUBJECTS not yet sent (pending), with the reason people gave: a held or
 * excluded user is told nothing until released. Returns how many were cancelled.
 */
export function cancelPendingNotices(
  db: Kysely<Database>,
  subjects: readonly string[],
  reason: string,
): Promise<number> {
  return byTextChunks(subjects, async (chunk) => {
    const result = await db
      .updateTable('notice')
      .set({ state: 'cancelled', error: reason })
      .where(inTextSet(db, 'subject', chunk))
      .where('state', '=', 'pending')
      .executeTakeFirst();
    return result.numUpdatedRows;
  });
}
