import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { byTextChunks, inTextSet } from '../text-set.js';

/**
 * Holds or excludes ADDRESSES (REASON in `hold_reason` or `exclude_reason`): each loses its day, its
 * pin and its step, and its lease (a running step sees it and stops at a safe point); a scheduled
 * one goes back to imported; a told user's day is kept in rescheduled_from, so the next day they are
 * given comes with a rescheduled notice. Returns the rows changed.
 */
export function setAside(
  db: Kysely<Database>,
  addresses: readonly string[],
  column: 'hold_reason' | 'exclude_reason',
  reason: string,
  nowIso: string,
): Promise<number> {
  return byTextChunks(addresses, async (chunk) => {
    const result = await db
      .updateTable('mailbox')
      .set({
        [column]: reason,
        state: sql`CASE WHEN state = 'scheduled' THEN 'imported' ELSE state END`,
        rescheduled_from: sql`CASE WHEN told_day IS NOT NULL THEN coalesce(rescheduled_from, told_day) ELSE rescheduled_from END`,
        told_day: null,
        batch_day: null,
        pinned_day: null,
        next_step: null,
        next_due_at: null,
        lease_owner: null,
        lease_until: null,
        updated_at: nowIso,
      })
      .where(inTextSet(db, 'address', chunk))
      .executeTakeFirst();
    return result.numUpdatedRows;
  });
}

/** Clears the hold or exclusion of ADDRESSES (their day comes from placeRows or the next plan). */
export function bringBack(
  db: Kysely<Database>,
  addresses: readonly string[],
  column: 'hold_reason' | 'exclude_reason',
  nowIso: string,
): Promise<number> {
  return byTextChunks(addresses, async (chunk) => {
    const result = await db
      .updateTable('mailbox')
      .set({ [column]: null, updated_at: nowIso })
      .where(inTextSet(db, 'address', chunk))
      .executeTakeFirst();
    return result.numUpdatedRows;
  });
}

/** A released mailbox that was past its cutover goes on with its final pass, due at DUE_AT. */
export function resumeFinal(
  db: Kysely<Database>,
  addresses: readonly string[],
  dueAt: string,
): Promise<number> {
  return byTextChunks(addresses, async (chunk) => {
    const result = await db
      .updateTable('mailbox')
      .set({ next_step: 'final', next_due_at: dueAt })
      .where(inTextSet(db, 'address', chunk))
      .where('state', '=', 'cutover')
      .executeTakeFirst();
    return result.numUpdatedRows;
  });
}
