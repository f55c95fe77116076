import type { Kysely, Selectable } from 'kysely';
import { isGoneLocally, localOwnerPrefix } from '../state/lease-owner.js';
import type { Database, MailboxTable } from '../state/schema.js';

export { newOwnerId } from '../state/lease-owner.js';

/** States in which a mailbox has passes to run. */
export const ACTIVE_STATES = ['scheduled', 'prestaged', 'cutover'] as const;

/**
 * Leases are in real time, not programme time: they say whether the runner holding a mailbox is
 * alive, and a simulated clock must not make them expire (or last for ever).
 */
const realNow = (): string => new Date().toISOString();

/**
 * Up to LIMIT mailboxes whose next step is due at NOW (programme time) and that nobody holds, skipping
 * endpoints with no room and those ADMIT refuses; each is leased to OWNER for LEASE_MS, and only those
 * this call won are returned.
 */
export async function claimDue(
  db: Kysely<Database>,
  owner: string,
  now: Date,
  limit: number,
  leaseMs: number,
  fullEndpoints: string[],
  admit: (m: Selectable<MailboxTable>) => (() => void) | undefined,
): Promise<Selectable<MailboxTable>[]> {
  const real = realNow();
  let query = db
    .selectFrom('mailbox')
    .selectAll()
    .where('state', 'in', ACTIVE_STATES)
    .where('next_step', 'is not', null)
    .where('next_due_at', '<=', now.toISOString())
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', real)]))
    .orderBy('next_due_at')
    .orderBy('address')
    .limit(limit * 4);
  if (fullEndpoints.length > 0) {
    query = query
      .where('source_endpoint', 'not in', fullEndpoints)
      .where('target_endpoint', 'not in', fullEndpoints);
  }
  const won: Selectable<MailboxTable>[] = [];
  for (const candidate of await query.execute()) {
    if (won.length >= limit) break;
    // Room on its endpoints is taken first, and given back when another runner wins the lease.
    const giveBack = admit(candidate);
    if (!giveBack) continue;
    const until = new Date(Date.now() + leaseMs).toISOString();
    const result = await db
      .updateTable('mailbox')
      .set({ lease_owner: owner, lease_until: until })
      .where('address', '=', candidate.address)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', realNow())]))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 1)
      won.push({ ...candidate, lease_owner: owner, lease_until: until });
  }
  return won;
}

/** Extends every lease OWNER holds (the heartbeat). */
export async function renewLeases(db: Kysely<Database>, owner: string, leaseMs: number): Promise<void> {
  await db
    .updateTable('mailbox')
    .set({ lease_until: new Date(Date.now() + leaseMs).toISOString() })
    .where('lease_owner', '=', owner)
    .execute();
}

/** Frees leases left by runners of this host that are no longer alive, so a restart goes on at once. */
export async function releaseDeadLocalLeases(db: Kysely<Database>, self: string): Promise<number> {
  const held = await db
    .selectFrom('mailbox')
    .select(['address', 'lease_owner'])
    .where('lease_owner', 'like', `${localOwnerPrefix()}%`)
    .execute();
  const dead = held.filter((m) => isGoneLocally(m.lease_owner!, self));
  for (const m of dead) {
    await db
      .updateTable('mailbox')
      .set({ lease_owner: null, lease_until: null })
      .where('address', '=', m.address)
      .where('lease_owner', '=', m.lease_owner)
      .execute();
  }
  return dead.length;
}

/** When the next step of an unheld active mailbox is due, or undefined when none is left. */
export async function nextDueAt(db: Kysely<Database>): Promise<Date | undefined> {
  const row = await db
    .selectFrom('mailbox')
    .select((eb) => eb.fn.min('next_due_at').as('due'))
    .where('state', 'in', ACTIVE_STATES)
    .where('next_step', 'is not', null)
    .executeTakeFirst();
  return row?.due ? new Date(row.due) : undefined;
}
