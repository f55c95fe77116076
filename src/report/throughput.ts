import type { Kysely } from 'kysely';
import type { Database } from '../state/schema.js';
import { organisationCodes, type OrganisationFilter } from './organisation-filter.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Mailboxes per day are measured over the last week, copy rates over the last day. */
const DONE_WINDOW_MS = 7 * DAY_MS;
const COPY_WINDOW_MS = DAY_MS;

/** How fast the programme moves, in programme time. */
export interface Throughput {
  /** Mailboxes done per day over the window; null before the first pass (by now). */
  mailboxesPerDay: number | null;
  /** Mailboxes done within the window, and its length in days (7, less for a younger programme). */
  doneInWindow: number;
  windowDays: number;
  /** Messages and bytes copied per hour by passes finished within the copy window; null before the first pass. */
  messagesPerHour: number | null;
  bytesPerHour: number | null;
  /** The copy window's length in hours (24, less for a younger programme). */
  windowHours: number;
}

/** A window ending at now, at most `maxMs` long, starting no earlier than `start`, at least `minMs`. */
function windowMs(now: Date, start: string | undefined, maxMs: number, minMs: number): number {
  const since = start ? now.getTime() - Date.parse(start) : maxMs;
  return Math.min(maxMs, Math.max(minMs, since));
}

/**
 * Mailboxes done per day over the last 7 programme days (from done_at), and messages and bytes per
 * hour from the passes finished in the last 24 programme hours. A programme younger than a window is
 * measured over its own age (from its first pass), at least one day or one hour, so a first
 * morning's figures are neither diluted over a week nor blown up from a few minutes.
 */
export async function throughput(
  db: Kysely<Database>,
  now: Date,
  organisation?: OrganisationFilter,
): Promise<Throughput> {
  const nowIso = now.toISOString();
  // The programme's start: when the first pass to finish began (found through the finished_at index,
  // not a scan of every pass).
  const first = await db
    .selectFrom('pass')
    .select('started_at')
    .where('finished_at', 'is not', null)
    .orderBy('finished_at')
    .limit(1)
    .executeTakeFirst();
  const start = first && first.started_at <= nowIso ? first.started_at : undefined;
  const doneMs = windowMs(now, start, DONE_WINDOW_MS, DAY_MS);
  const done = await db
    .selectFrom('mailbox')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('state', '=', 'done')
    .where('done_at', '>', new Date(now.getTime() - doneMs).toISOString())
    .where('done_at', '<=', nowIso)
    .$if(organisation !== undefined, (q) => q.where('organisation', 'in', organisationCodes(organisation!)))
    .executeTakeFirstOrThrow();

  const copies = await db
    .selectFrom('pass')
    .select((eb) => [eb.fn.sum('messages').as('messages'), eb.fn.sum('bytes').as('bytes')])
    .where('finished_at', '>', new Date(now.getTime() - COPY_WINDOW_MS).toISOString())
    .where('finished_at', '<=', nowIso)
    .$if(organisation !== undefined, (q) =>
      q.where(
        'mailbox',
        'in',
        db
          .selectFrom('mailbox')
          .select('address')
          .where('organisation', 'in', organisationCodes(organisation!)),
      ),
    )
    .executeTakeFirstOrThrow();
  const hours = windowMs(now, start, COPY_WINDOW_MS, HOUR_MS) / HOUR_MS;
  const started = start !== undefined;
  return {
    mailboxesPerDay: started ? Number(done.n) / (doneMs / DAY_MS) : null,
    doneInWindow: Number(done.n),
    windowDays: doneMs / DAY_MS,
    messagesPerHour: started ? Number(copies.messages ?? 0) / hours : null,
    bytesPerHour: started ? Number(copies.bytes ?? 0) / hours : null,
    windowHours: hours,
  };
}
