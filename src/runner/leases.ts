import type { Kysely, Selectable, SelectQueryBuilder } from 'kysely';
import { isGoneLocally, localOwnerPrefix } from '../state/lease-owner.js';
import { LOCK, withExclusiveWrite } from '../state/exclusive-write.js';
import { leaseFree, leaseLive } from '../state/lease-condition.js';
import { freeLeasesOf } from '../state/mailbox/free-leases.js';
import { ACTIVE_STATES } from '../state/mailbox/mailbox-states.js';
import { renewLeases as renew, takeLease, takeOverLease } from '../state/mailbox/take-lease.js';
import type { Database, MailboxTable } from '../state/schema.js';
import { EndpointRoom, type MailboxEnds } from '../limits/endpoint-room.js';

export { newOwnerId } from '../state/lease-owner.js';

/** How long a lease lasts without a heartbeat unless `--lease` says otherwise (real time). */
export const DEFAULT_LEASE_MS = 120_000;

export { ACTIVE_STATES };

/**
 * Leases are in real time, not programme time: they say whether the runner holding a mailbox is
 * alive, and a simulated clock must not make them expire (or last for ever).
 */
const realNow = (): string => new Date().toISOString();

/** What a claim asks for. */
export interface ClaimRequest {
  /** Programme time: steps due by then are claimed. */
  now: Date;
  /** Mailboxes wanted at most. */
  limit: number;
  /** How long the lease lasts without a heartbeat (real time). */
  leaseMs: number;
  /** Connections each mailbox asks for (lifecycle.connectionsPerMailbox). */
  connectionsPerMailbox: number;
  /** The lease owner written on each mailbox won: the runner itself, or a job's hand-off token. */
  ownerFor: (mailbox: Selectable<MailboxTable>) => string;
  /** Target endpoints whose cutovers wait for a soak go: their final steps are not claimed. */
  heldCutovers?: string[];
}

/** A mailbox under a live lease: who holds it, its step, and the endpoints it holds room on. */
export interface LiveLease extends MailboxEnds {
  address: string;
  lease_owner: string | null;
  next_step: string | null;
}

/** The mailboxes under a live lease now (running, or handed to a job not yet picked up). */
export function liveLeaseRows(db: Kysely<Database>): Promise<LiveLease[]> {
  return db
    .selectFrom('mailbox')
    .select(['address', 'lease_owner', 'next_step', 'source_endpoint', 'target_endpoint'])
    .where(leaseLive(realNow()))
    .execute();
}

/** Whether a live lease is a hand-off waiting in the job queue (not yet taken by a worker). */
export const isHandoff = (lease: LiveLease): boolean =>
  lease.lease_owner?.startsWith(HANDOFF_PREFIX) ?? false;

/** The room on every endpoint left by the live leases, read inside the claim's transaction. */
export async function endpointRoom(
  db: Kysely<Database>,
  connectionsPerMailbox: number,
): Promise<EndpointRoom> {
  const endpoints = await db.selectFrom('endpoint').selectAll().execute();
  return EndpointRoom.holding(endpoints, await liveLeaseRows(db), connectionsPerMailbox);
}

/**
 * Up to LIMIT mailboxes whose next step is due and that nobody holds, within every endpoint's limits as
 * all workers' live leases leave them; each is leased for LEASE_MS. The whole claim runs under one
 * programme-wide lock, so two workers never admit past a limit between them.
 */
export function claimDue(db: Kysely<Database>, request: ClaimRequest): Promise<Selectable<MailboxTable>[]> {
  return withExclusiveWrite(db, LOCK.claim, async (tx) => {
    const real = realNow();
    const room = await endpointRoom(tx, request.connectionsPerMailbox);
    // A paused server takes no new step, as a full one.
    const paused = await tx
      .selectFrom('endpoint')
      .select('name')
      .where('pause_reason', 'is not', null)
      .execute();
    const full = [...room.full(), ...paused.map((e) => e.name)];
    let query = tx
      .selectFrom('mailbox')
      .selectAll()
      .where('state', 'in', ACTIVE_STATES)
      .where('next_step', 'is not', null)
      .where('next_due_at', '<=', request.now.toISOString())
      .where(leaseFree(real))
      .where('hold_reason', 'is', null)
      .where('exclude_reason', 'is', null)
      .orderBy('next_due_at')
      .orderBy('address')
      .limit(request.limit * 4);
    if (full.length > 0) {
      query = query.where('source_endpoint', 'not in', full).where('target_endpoint', 'not in', full);
    }
    query = withoutHeldCutovers(query, request.heldCutovers);
    const until = new Date(Date.now() + request.leaseMs).toISOString();
    const won: Selectable<MailboxTable>[] = [];
    for (const candidate of await query.execute()) {
      if (won.length >= request.limit) break;
      const holds = room.holdsFor(candidate);
      if (!room.fits(holds)) continue;
      const owner = request.ownerFor(candidate);
      if (!(await takeLease(tx, candidate.address, owner, until, real))) continue;
      room.acquire(holds);
      won.push({ ...candidate, lease_owner: owner, lease_until: until });
    }
    return won;
  });
}

/**
 * A worker takes over a mailbox a dispatcher leased to TOKEN for it; undefined when the hand-off is
 * stale (its lease ran out and the mailbox went to another job, or the step was carried out).
 */
export async function takeOver(
  db: Kysely<Database>,
  address: string,
  token: string,
  owner: string,
  leaseMs: number,
): Promise<Selectable<MailboxTable> | undefined> {
  return takeOverLease(db, address, token, owner, new Date(Date.now() + leaseMs).toISOString(), realNow());
}

/**
 * Whether the mailbox at ADDRESS is still OWNER's: no one else has claimed it (a lease that ran out
 * and was not claimed since is still its holder's to finish, as stepSucceeded sees it).
 */
export async function holdsLease(db: Kysely<Database>, address: string, owner: string): Promise<boolean> {
  const row = await db
    .selectFrom('mailbox')
    .select('address')
    .where('address', '=', address)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return row !== undefined;
}

/** Mailboxes under a live lease now (running, or handed to a job not yet picked up). */
export async function liveLeases(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('mailbox')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where(leaseLive(realNow()))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Extends every lease OWNER still holds (the heartbeat) and returns their mailboxes. A lease that has
 * run out is not renewed: another worker may have claimed the mailbox, so its holder must stop.
 */
export async function renewLeases(db: Kysely<Database>, owner: string, leaseMs: number): Promise<string[]> {
  return renew(db, owner, new Date(Date.now() + leaseMs).toISOString(), realNow());
}

/** Frees leases left by runners of this host that are no longer alive, so a restart goes on at once. */
export async function releaseDeadLocalLeases(db: Kysely<Database>, self: string): Promise<number> {
  const held = await db
    .selectFrom('mailbox')
    .select(['address', 'lease_owner'])
    .where('lease_owner', 'like', `${localOwnerPrefix()}%`)
    .execute();
  const dead = held.filter((m) => isGoneLocally(m.lease_owner!, self));
  await freeLeasesOf(
    db,
    dead.map((m) => ({ address: m.address, lease_owner: m.lease_owner! })),
  );
  return dead.length;
}

/** A mailbox query without the final steps onto endpoints whose cutovers wait for a soak go. */
function withoutHeldCutovers<Q extends SelectQueryBuilder<Database, 'mailbox', object>>(
  query: Q,
  held: string[] | undefined,
): Q {
  if (!held || held.length === 0) return query;
  return query.where((eb) =>
    eb.or([eb('next_step', '!=', 'final'), eb('target_endpoint', 'not in', held)]),
  ) as Q;
}

/**
 * When the next step of an active mailbox is due, or undefined when none is left; final steps onto
 * HELD_CUTOVERS (waiting for a soak go) are left out.
 */
export async function nextDueAt(db: Kysely<Database>, heldCutovers?: string[]): Promise<Date | undefined> {
  const row = await withoutHeldCutovers(
    db
      .selectFrom('mailbox')
      .select((eb) => eb.fn.min('next_due_at').as('due'))
      .where('state', 'in', ACTIVE_STATES)
      .where('next_step', 'is not', null),
    heldCutovers,
  ).executeTakeFirst();
  return row?.due ? new Date(row.due) : undefined;
}

/** The lease owner a dispatcher writes on a mailbox it hands to the job queue. */
export const HANDOFF_PREFIX = 'queued:';
