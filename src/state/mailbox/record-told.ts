import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { WAITING_STATES } from './mailbox-states.js';

/**
 * Records that the waiting users due to be told by WARN_BY (their day is that close, or a re-plan
 * moved a told user) were told of their day: told_day takes the batch day, a rescheduled_from is
 * settled. Runs in the notice queue's transaction. Returns how many were told.
 */
export async function recordTold(db: Kysely<Database>, warnBy: string): Promise<number> {
  const told = await db
    .updateTable('mailbox')
    .set((eb) => ({ told_day: eb.ref('batch_day'), rescheduled_from: null }))
    .where('state', 'in', WAITING_STATES)
    .where('batch_day', 'is not', null)
    .where((eb) =>
      eb.or([
        eb('rescheduled_from', 'is not', null),
        eb.and([eb('told_day', 'is', null), eb('batch_day', '<=', warnBy)]),
      ]),
    )
    .executeTakeFirst();
  return Number(told.numUpdatedRows);
}
