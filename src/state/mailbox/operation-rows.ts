import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { byTextChunks, inTextSet } from '../text-set.js';
import type { LifecycleStep, MailboxState } from './mailbox-states.js';

/** A mailbox as the day-to-day operations read it before changing it. */
export interface OperationRow {
  address: string;
  organisation: string | null;
  state: MailboxState;
  batch_day: string | null;
  told_day: string | null;
  next_step: LifecycleStep | null;
  size_bytes: string | number | null;
  hold_reason: string | null;
  exclude_reason: string | null;
  pinned_day: string | null;
  lease_owner: string | null;
  lease_until: string | null;
}

const COLUMNS = [
  'address',
  'organisation',
  'state',
  'batch_day',
  'told_day',
  'next_step',
  'size_bytes',
  'hold_reason',
  'exclude_reason',
  'pinned_day',
  'lease_owner',
  'lease_until',
] as const;

/** The rows of ADDRESSES that exist, by address (read a chunk at a time, on the primary key). */
export async function readOperationRows(
  db: Kysely<Database>,
  addresses: readonly string[],
): Promise<Map<string, OperationRow>> {
  const rows = new Map<string, OperationRow>();
  await byTextChunks(addresses, async (chunk) => {
    const found = await db
      .selectFrom('mailbox')
      .select(COLUMNS)
      .where(inTextSet(db, 'address', chunk))
      .execute();
    for (const row of found) rows.set(row.address, row);
    return found.length;
  });
  return rows;
}

/** The rows of the mailboxes of the organisations CODES. */
export function readOrganisationRows(
  db: Kysely<Database>,
  codes: readonly string[],
): Promise<OperationRow[]> {
  return db
    .selectFrom('mailbox')
    .select(COLUMNS)
    .where('organisation', 'in', [...codes])
    .orderBy('address')
    .execute();
}
