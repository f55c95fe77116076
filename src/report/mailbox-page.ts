import type { Kysely } from 'kysely';
import type { Database } from '../state/schema.js';

import type { MailboxState } from '../state/mailbox/mailbox-states.js';
import { organisationCodes, type OrganisationFilter } from './organisation-filter.js';

/** A mailbox as a list of mailboxes shows it (a day's, an organisation's, a failure type's). */
export interface MailboxLine {
  address: string;
  organisation: string | null;
  state: string;
  batchDay: string | null;
  nextStep: string | null;
  nextDueAt: string | null;
  failureType: string | null;
  failureReason: string | null;
  sizeBytes: number | null;
  copiedBytes: number;
}

/** Which mailboxes to list. */
export interface MailboxListFilter {
  organisation?: OrganisationFilter;
  day?: string;
  state?: MailboxState;
  /** Failed mailboxes of this failure type ('unknown': none recorded); implies state failed. */
  failureType?: string;
}

/** A page of mailboxes, in address order. */
export interface MailboxPage<Line = MailboxLine> {
  mailboxes: Line[];
  /** Whether more follow: ask again with `after` set to the last address. */
  more: boolean;
}

/**
 * The mailboxes matching FILTER, a page at a time (keyset paging on the address, so page N costs what
 * page 1 does): up to LIMIT after the address AFTER.
 */
export async function mailboxPage(
  db: Kysely<Database>,
  filter: MailboxListFilter,
  page: { after?: string; limit: number },
): Promise<MailboxPage> {
  const { organisation, day, state, failureType } = filter;
  const rows = await db
    .selectFrom('mailbox')
    .select([
      'address',
      'organisation',
      'state',
      'batch_day',
      'next_step',
      'next_due_at',
      'failure_type',
      'failure_reason',
      'size_bytes',
      'copied_bytes',
    ])
    .$if(day !== undefined, (q) => q.where('batch_day', '=', day!))
    .$if(organisation !== undefined, (q) => q.where('organisation', 'in', organisationCodes(organisation!)))
    .$if(state !== undefined, (q) => q.where('state', '=', state!))
    .$if(failureType !== undefined, (q) =>
      q
        .where('state', '=', 'failed')
        .where((eb) =>
          failureType === 'unknown' ? eb('failure_type', 'is', null) : eb('failure_type', '=', failureType!),
        ),
    )
    .$if(page.after !== undefined, (q) => q.where('address', '>', page.after!))
    .orderBy('address')
    .limit(page.limit + 1)
    .execute();
  return {
    mailboxes: rows.slice(0, page.limit).map((r) => ({
      address: r.address,
      organisation: r.organisation,
      state: r.state,
      batchDay: r.batch_day,
      nextStep: r.next_step,
      nextDueAt: r.next_due_at,
      failureType: r.failure_type,
      failureReason: r.failure_reason,
      sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes),
      copiedBytes: Number(r.copied_bytes),
    })),
    more: rows.length > page.limit,
  };
}
