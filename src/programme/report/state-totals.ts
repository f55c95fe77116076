import type { Kysely } from 'kysely';
import type { Database } from '../../state/schema.js';
import { organisationCodes, type OrganisationFilter } from './organisation-filter.js';

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
      eb.fn.sum('skipped_items').as('skipped'),
      eb.fn.sum(eb.case().when('skipped_items', '>', 0).then(1).else(0).end()).as('with_skipped'),
    ])
    .$if(organisation !== undefined, (q) => q.where('organisation', 'in', organisationCodes(organisation!)))
    .groupBy('state')
    .execute();
  // PostgreSQL returns counts and sums of bigint columns as strings.
  return rows.map((r) => ({
    state: r.state,
    mailboxes: Number(r.n),
    planned: Number(r.planned),
    lastDay: r.last_day ?? null,
    sizeBytes: Number(r.size ?? 0),
    copiedMessages: Number(r.messages ?? 0),
    copiedBytes: Number(r.bytes ?? 0),
    skippedItems: Number(r.skipped ?? 0),
    withSkipped: Number(r.with_skipped ?? 0),
  }));
}
