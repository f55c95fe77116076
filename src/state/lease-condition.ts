import { sql, type RawBuilder } from 'kysely';

/**
 * A row's lease is free at AT (ISO, real time): never taken, or run out. The one condition every
 * leased table (mailboxes, notices) is claimed under; it names the row's own `lease_until`, so it is
 * for single-table statements.
 */
export function leaseFree(at: string): RawBuilder<boolean> {
  return sql<boolean>`(lease_until IS NULL OR lease_until < ${at})`;
}

/** A row's lease ran out by AT (ISO, real time): its holder is gone or too slow, and may be replaced. */
export function leaseRanOut(at: string): RawBuilder<boolean> {
  return sql<boolean>`(lease_until IS NOT NULL AND lease_until < ${at})`;
}

/** A row's lease is live at AT: someone holds it. */
export function leaseLive(at: string): RawBuilder<boolean> {
  return sql<boolean>`(lease_until > ${at})`;
}
