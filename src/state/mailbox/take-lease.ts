import type { Kysely } from 'kysely';
import { leaseFree, leaseLive } from '../lease-condition.js';
import type { Database, MailboxTable } from '../schema.js';
import type { Selectable } from 'kysely';
import { ACTIVE_STATES } from './mailbox-states.js';

/**
 * Leases the mailbox at ADDRESS to OWNER until UNTIL if its lease is free at REAL (a heartbeat, which
 * takes no claim lock, may have renewed it since it was read). Returns whether it was taken.
 */
export async function takeLease(
  db: Kysely<Database>,
  address: string,
  owner: string,
  until: string,
  real: string,
): Promise<boolean> {
  const taken = await db
    .updateTable('mailbox')
    .set({ lease_owner: owner, lease_until: until })
    .where('address', '=', address)
    .where(leaseFree(real))
    .executeTakeFirst();
  return taken.numUpdatedRows > 0n;
}

/**
 * A worker takes over a mailbox a dispatcher leased to TOKEN for it; undefined when the hand-off is
 * stale (its lease ran out and the mailbox went to another job, or the step was carried out).
 */
export async function takeOverLease(
  db: Kysely<Database>,
  address: string,
  token: string,
  owner: string,
  until: string,
  real: string,
): Promise<Selectable<MailboxTable> | undefined> {
  return db
    .updateTable('mailbox')
    .set({ lease_owner: owner, lease_until: until })
    .where('address', '=', address)
    .where('lease_owner', '=', token)
    .where(leaseLive(real))
    .where('state', 'in', ACTIVE_STATES)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Extends every lease OWNER still holds (the heartbeat) until UNTIL and returns their mailboxes. A
 * lease that has run out by REAL is not renewed: another worker may have claimed the mailbox.
 */
export async function renewLeases(
  db: Kysely<Database>,
  owner: string,
  until: string,
  real: string,
): Promise<string[]> {
  const rows = await db
    .updateTable('mailbox')
    .set({ lease_until: until })
    .where('lease_owner', '=', owner)
    .where(leaseLive(real))
    .returning('address')
    .execute();
  return rows.map((r) => r.address);
}
