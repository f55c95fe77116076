import type { Kysely } from 'kysely';
import type { Database } from '../../state/schema.js';

/** A mailbox as a day's list shows it. */
export interface DayMailbox {
  address: string;
  organisation: string | null;
  state: string;
  nextStep: string | null;
  nextDueAt: string | null;
  failureType: string | null;
  failureReason: string | null;
  sizeBytes: number | null;
  copiedBytes: number;
}

/** Which of a day's mailboxes to list, a page at a time. */
export interface DayMailboxOptions {
  organisation?: string;
  state?: string;
  /** Start after this address (the last one of the previous page). */
  after?: string;
  limit: number;
}

/** A page of a day's mailboxes, in address order. */
export interface DayMailboxPage {
  mailboxes: DayMailbox[];
  /** Whether more follow: ask again with `after` set to the last address. */
  more: boolean;
}

/** The mailboxes planned for DAY, a page at a time (keyset paging on the address). */
export async function dayMailboxes(
  db: Kysely<Database>,
  day: string,
  options: DayMailboxOptions,
): Promise<DayMailboxPage> {
  const { organisation, state, after, limit } = options;
  const rows = await db
    .selectFrom('mailbox')
    .select([
      'address',
      'organisation',
      'state',
      'next_step',
      'next_due_at',
      'failure_type',
      'failure_reason',
      'size_bytes',
      'copied_bytes',
    ])
    .where('batch_day', '=', day)
    .$if(organisation !== undefined, (q) => q.where('organisation', '=', organisation!))
    .$if(state !== undefined, (q) => q.where('state', '=', state!))
    .$if(after !== undefined, (q) => q.where('address', '>', after!))
    .orderBy('address')
    .limit(limit + 1)
    .execute();
  return {
    mailboxes: rows.slice(0, limit).map((r) => ({
      address: r.address,
      organisation: r.organisation,
      state: r.state,
      nextStep: r.next_step,
      nextDueAt: r.next_due_at,
      failureType: r.failure_type,
      failureReason: r.failure_reason,
      sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes),
      copiedBytes: Number(r.copied_bytes),
    })),
    more: rows.length > limit,
  };
}
