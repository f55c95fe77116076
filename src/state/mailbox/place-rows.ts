import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { LifecycleStep } from './mailbox-states.js';
import { byTextChunks, inTextSet } from '../text-set.js';

/** Where a set of mailboxes goes: one day and the step due first there. */
export interface Placement {
  day: string;
  /** The first step of a mailbox not yet copied. */
  first: { step: LifecycleStep; dueAt: string };
  /** The next step of a pre-staged one (its copy is kept: a delta, or the final pass). */
  delta: { step: LifecycleStep; dueAt: string } | undefined;
  /** Keep it there whatever the planner's rules (a person chose the day). */
  pin: boolean;
}

/**
 * Puts ADDRESSES on a day: scheduled (or pre-staged, keeping their copy), their failure cleared, a
 * told user whose day changes owed a rescheduled notice (as a re-plan does). Cutover and done rows
 * are not touched. Returns the rows changed.
 */
export function placeRows(
  db: Kysely<Database>,
  addresses: readonly string[],
  placement: Placement,
  nowIso: string,
): Promise<number> {
  const { day, first, delta } = placement;
  const prestaged = sql<boolean>`state = 'prestaged'`;
  return byTextChunks(addresses, async (chunk) => {
    const result = await db
      .updateTable('mailbox')
      .set({
        state: sql`CASE WHEN ${prestaged} THEN 'prestaged' ELSE 'scheduled' END`,
        next_step: sql`CASE WHEN ${prestaged} THEN ${delta?.step ?? first.step} ELSE ${first.step} END`,
        next_due_at: sql`CASE WHEN ${prestaged} THEN ${delta?.dueAt ?? first.dueAt} ELSE ${first.dueAt} END`,
        // Back on the day they were told (a hold released): nothing to reschedule.
        rescheduled_from: sql`CASE WHEN rescheduled_from = ${day} THEN NULL
          WHEN told_day IS NOT NULL AND told_day <> ${day} THEN coalesce(rescheduled_from, told_day)
          ELSE rescheduled_from END`,
        // (told_day stays unset: the calendar tells them again, and a warning already sent is not sent twice.)
        told_day: sql`CASE WHEN told_day = ${day} THEN told_day ELSE NULL END`,
        batch_day: day,
        pinned_day: placement.pin ? day : null,
        attempts: 0,
        failure_type: null,
        failure_reason: null,
        updated_at: nowIso,
      })
      .where(inTextSet(db, 'address', chunk))
      .where('state', 'in', ['imported', 'scheduled', 'prestaged', 'failed'])
      .executeTakeFirst();
    return result.numUpdatedRows;
  });
}
