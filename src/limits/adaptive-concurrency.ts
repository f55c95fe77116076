import type { Kysely } from 'kysely';
import { LOCK, withExclusiveWrite } from '../state/exclusive-write.js';
import type { Database, EndpointTable } from '../state/schema.js';

/** How long after a change the concurrency may be lowered again, and raised again (real time). */
export interface AdaptPace {
  downAfterMs: number;
  upAfterMs: number;
}

/**
 * Halving is held back briefly, so one slow burst (logins that started under the old concurrency) counts
 * once; raising waits longer, so a recovering server is given load back one mailbox at a time.
 */
export const ADAPT_PACE: AdaptPace = { downAfterMs: 10_000, upAfterMs: 30_000 };

/** A change of an endpoint's concurrency, for the log. */
export interface ConcurrencyChange {
  endpoint: string;
  from: number;
  to: number;
}

/**
 * Adaptive concurrency (additive increase, multiplicative decrease), shared by all workers through the
 * endpoint row: a login that took longer than the endpoint's latency threshold halves the mailboxes it
 * runs at once (never below one); a faster one raises it by one, up to max_mailboxes. Returns the
 * change, if any.
 */
export async function observeLoginLatency(
  db: Kysely<Database>,
  endpoint: string,
  latencyMs: number,
  now = Date.now(),
  pace: AdaptPace = ADAPT_PACE,
): Promise<ConcurrencyChange | undefined> {
  return withExclusiveWrite(db, LOCK.endpoint, async (tx) => {
    const row = await tx
      .selectFrom('endpoint')
      .select(['max_mailboxes', 'latency_threshold_ms', 'concurrency', 'concurrency_at'])
      .where('name', '=', endpoint)
      .executeTakeFirst();
    if (!row || row.latency_threshold_ms === null) return undefined;
    const from = Math.min(row.max_mailboxes, row.concurrency ?? row.max_mailboxes);
    const since = row.concurrency_at ? now - Date.parse(row.concurrency_at) : Infinity;
    let to = from;
    if (latencyMs > row.latency_threshold_ms) {
      if (since >= pace.downAfterMs) to = Math.max(1, Math.floor(from / 2));
    } else if (since >= pace.upAfterMs) {
      to = Math.min(row.max_mailboxes, from + 1);
    }
    if (to === from) return undefined;
    await tx
      .updateTable('endpoint')
      .set({ concurrency: to, concurrency_at: new Date(now).toISOString() })
      .where('name', '=', endpoint)
      .execute();
    return { endpoint, from, to };
  });
}

/**
 * An endpoint's adaptive concurrency after its max_mailboxes or latency threshold were changed
 * (`tranche endpoint set`). Without a threshold nothing adapts: both columns are cleared. A figure held
 * below both the old and the new maximum stays (the server was slow, and is raised again one mailbox at
 * a time); any other goes back to the maximum (null), so it never exceeds the new one and a raised
 * maximum is used at once.
 */
export function concurrencyAfterChange(
  before: Pick<EndpointTable, 'max_mailboxes' | 'concurrency' | 'concurrency_at'>,
  maxMailboxes: number,
  latencyThresholdMs: number | null,
): Pick<EndpointTable, 'concurrency' | 'concurrency_at'> {
  if (latencyThresholdMs === null) return { concurrency: null, concurrency_at: null };
  const held = before.concurrency;
  return {
    concurrency: held !== null && held < Math.min(before.max_mailboxes, maxMailboxes) ? held : null,
    concurrency_at: before.concurrency_at,
  };
}
