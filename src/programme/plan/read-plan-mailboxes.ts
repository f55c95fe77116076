import type { Kysely } from 'kysely';
import type { Database } from '../../state/schema.js';
import { dayNumber, NO_DAY } from './calendar-days.js';
import { STATUS, type PlanMailboxes } from './plan-batches.js';
import { blockerReason } from '../discover/discover.js';

/** Rows per read: pages keep memory flat and each query short. */
const PAGE = 20_000;

/** The states a plan may change; cutover and done (and any state added later) are left alone. */
const PLANNABLE = ['imported', 'scheduled', 'prestaged', 'failed'] as const;

/** Columns that grow as pages arrive, kept as typed arrays (a few bytes per mailbox). */
class Columns {
  address: string[] = [];
  organisation = new Int32Array(1024);
  sizeBytes = new Float64Array(1024);
  status = new Uint8Array(1024);
  previousDay = new Int32Array(1024);
  toldDay = new Int32Array(1024);
  pinnedDay = new Int32Array(1024);
  blockers = new Map<number, string>();

  /** Makes room for row I. */
  grow(i: number): void {
    if (i < this.status.length) return;
    const size = this.status.length * 2;
    const grown = <T extends Int32Array | Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const next = make(size);
      next.set(a);
      return next;
    };
    this.organisation = grown(this.organisation, (n) => new Int32Array(n));
    this.sizeBytes = grown(this.sizeBytes, (n) => new Float64Array(n));
    this.status = grown(this.status, (n) => new Uint8Array(n));
    this.previousDay = grown(this.previousDay, (n) => new Int32Array(n));
    this.toldDay = grown(this.toldDay, (n) => new Int32Array(n));
    this.pinnedDay = grown(this.pinnedDay, (n) => new Int32Array(n));
  }

  done(): PlanMailboxes {
    const n = this.address.length;
    return {
      address: this.address,
      organisation: this.organisation.slice(0, n),
      sizeBytes: this.sizeBytes.slice(0, n),
      status: this.status.slice(0, n),
      previousDay: this.previousDay.slice(0, n),
      toldDay: this.toldDay.slice(0, n),
      pinnedDay: this.pinnedDay.slice(0, n),
      blockers: this.blockers,
    };
  }
}

/**
 * Reads the mailboxes a plan may touch (plannable state, not held or excluded, no live lease at NOW), paged by address,
 * into columns; and counts the others (left alone).
 */
export async function readPlanMailboxes(
  db: Kysely<Database>,
  organisations: readonly { code: string }[],
  nowIso: string,
): Promise<{ mailboxes: PlanMailboxes; untouched: number }> {
  const orgIndex = new Map(organisations.map((o, i) => [o.code, i]));
  const days = new Map<string, number>();
  const dayOf = (iso: string | null): number => {
    if (iso === null) return NO_DAY;
    let d = days.get(iso);
    if (d === undefined) days.set(iso, (d = dayNumber(iso)));
    return d;
  };
  const columns = new Columns();
  const plannable = new Set<string>(PLANNABLE);
  let untouched = 0;
  for (let after: string | undefined; ;) {
    let query = db
      .selectFrom('mailbox')
      .select([
        'address',
        'organisation',
        'size_bytes',
        'state',
        'batch_day',
        'told_day',
        'source_login',
        'target_login',
        'source_dav_login',
        'target_dav_login',
        'discover_detail',
        'lease_until',
        'hold_reason',
        'exclude_reason',
        'pinned_day',
      ])
      // Only the key in WHERE: filtering on state here makes SQLite walk the state index and sort
      // every page, quadratic over a programme; the primary key pages in order.
      .orderBy('address')
      .limit(PAGE);
    if (after !== undefined) query = query.where('address', '>', after);
    const page = await query.execute();
    for (const row of page) {
      // Held and excluded mailboxes have no day until people bring them back.
      const setAside = row.hold_reason !== null || row.exclude_reason !== null;
      if (setAside || !plannable.has(row.state) || (row.lease_until !== null && row.lease_until > nowIso)) {
        untouched++;
        continue;
      }
      const i = columns.address.length;
      columns.grow(i);
      columns.address.push(row.address);
      columns.organisation[i] = row.organisation === null ? -1 : (orgIndex.get(row.organisation) ?? -1);
      columns.sizeBytes[i] = row.size_bytes === null ? 0 : Number(row.size_bytes);
      columns.status[i] = STATUS[row.state as (typeof PLANNABLE)[number]];
      columns.previousDay[i] = dayOf(row.batch_day);
      columns.toldDay[i] = dayOf(row.told_day);
      columns.pinnedDay[i] = dayOf(row.pinned_day);
      const blocker = blockerReason(row);
      if (blocker !== undefined) columns.blockers.set(i, blocker);
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.address;
  }
  return { mailboxes: columns.done(), untouched };
}
