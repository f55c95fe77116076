import type { Kysely } from 'kysely';
import { addDays, dayOf } from '../programme/lifecycle/step-times.js';
import type { Database } from '../state/schema.js';

/**
 * Records the warning moment: a planned mailbox whose day is within the notice period counts as told
 * from now on (told_day), so a re-plan keeps its day unless forced. The notify part sends the warning
 * itself from the same moment.
 */
export async function recordWarnings(db: Kysely<Database>, now: Date, noticeDays: number): Promise<number> {
  const result = await db
    .updateTable('mailbox')
    .set((eb) => ({ told_day: eb.ref('batch_day') }))
    .where('told_day', 'is', null)
    .where('batch_day', '<=', addDays(dayOf(now), noticeDays))
    .where('state', 'in', ['scheduled', 'prestaged'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
