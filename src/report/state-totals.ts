import type { Kysely } from 'kysely';
import type { Database } from '../state/schema.js';
import { organisationCodes, type OrganisationFilter } from './organisation-filter.js';
import { WARNING_KINDS } from '../copy/sync-report.js';

/** The mailboxes in one state, summed: what the summary, the ETA and the copy totals are made of. */
export interface StateTotals {
  state: string;
  mailboxes: number;
  /** Of those, the ones with a day. */
  planned: number;
  /** Their latest day; null when none has one. */
  lastDay: string | null;
  /** Their size on the sources, as discovered. */
  sizeBytes: number;
  copiedMessages: number;
  copiedBytes: number;
  /** Calendar items and contacts written so far. */
  copiedCalendarItems: number;
  copiedContacts: number;
  skippedItems: number;
  /** Mailboxes in this state with at least one skipped item (done with skipped items, for done). */
  withSkipped: number;
}

/** Totals per state (of one organisation or several, when given): one GROUP BY over the mailbox table. */
export async function stateTotals(
  db: Kysely<Database>,
  organisation?: OrganisationFilter,
): Promise<StateTotals[]> {
  const rows = await db
    .selectFrom('mailbox')
    .select((eb) => [
      'state',
      eb.fn.countAll().as('n'),
      eb.fn.count('batch_day').as('planned'),
      eb.fn.max('batch_day').as('last_day'),
      eb.fn.sum('size_bytes').as('size'),
      eb.fn.sum('copied_messages').as('messages'),
      eb.fn.sum('copied_bytes').as('bytes'),
      eb.fn.sum('copied_calendar_items').as('calendar_items'),
      eb.fn.sum('copied_contacts').as('contacts'),
    ])
    .$if(organisation !== undefined, (q) => q.where('organisation', 'in', organisationCodes(organisation!)))
    // Excluded mailboxes are never migrated: counted apart (setAsideTotals), not in any state.
    .where('exclude_reason', 'is', null)
    .groupBy('state')
    .execute();
  // Skipped items are counted where they are kept (one row each), not stored on the mailbox twice.
  const skipped = await db
    .selectFrom('skipped_item')
    .innerJoin('mailbox', 'mailbox.address', 'skipped_item.mailbox')
    .select((eb) => [
      'mailbox.state',
      eb.fn.countAll().as('n'),
      eb.fn.count('skipped_item.mailbox').distinct().as('mailboxes'),
    ])
    // Warnings (altered-by-target, keywords-not-kept): the messages were copied.
    .where('skipped_item.kind', 'not in', WARNING_KINDS)
    .$if(organisation !== undefined, (q) =>
      q.where('mailbox.organisation', 'in', organisationCodes(organisation!)),
    )
    .groupBy('mailbox.state')
    .execute();
  const skippedIn = new Map(skipped.map((r) => [r.state, Number(r.n)]));
  const withSkippedIn = new Map(skipped.map((r) => [r.state, Number(r.mailboxes)]));
  // PostgreSQL returns counts and sums of bigint columns as strings.
  return rows.map((r) => ({
    state: r.state,
    mailboxes: Number(r.n),
    planned: Number(r.planned),
    lastDay: r.last_day ?? null,
    sizeBytes: Number(r.size ?? 0),
    copiedMessages: Number(r.messages ?? 0),
    copiedBytes: Number(r.bytes ?? 0),
    copiedCalendarItems: Number(r.calendar_items ?? 0),
    copiedContacts: Number(r.contacts ?? 0),
    skippedItems: skippedIn.get(r.state) ?? 0,
    withSkipped: withSkippedIn.get(r.state) ?? 0,
  }));
}
