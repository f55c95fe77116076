import type { Kysely } from 'kysely';
import { failureGroups } from '../../report/failure-groups.js';
import { setAsideTotals } from '../../report/set-aside-totals.js';
import { stateTotals } from '../../report/state-totals.js';
import type { Database } from '../../state/schema.js';

const HOUR_MS = 3_600_000;

/**
 * The programme-wide figures of /metrics: aggregates over every mailbox (seconds on a programme of
 * millions), so they are kept in the serve cache and refreshed in the background.
 */
export interface MetricReadings {
  mailboxesByState: { state: string; mailboxes: number }[];
  copiedMessages: number;
  copiedBytes: number;
  /** Calendar items and contacts written so far, all mailboxes. */
  copiedCalendarItems: number;
  copiedContacts: number;
  /** Bytes per second copied by the passes that finished in the last hour (programme clock). */
  copyBytesPerSecond: number;
  /** Failed mailboxes by failure type. */
  failedByType: { type: string; mailboxes: number }[];
  /** Passes that ended in an error in the last hour, by error type. */
  passErrorsByType: { type: string; passes: number }[];
  /** Passes a server's throttling ended in the last hour, and time mailboxes spent held back in all. */
  throttledPasses: number;
  throttledSeconds: number;
  /** Mailboxes whose next step is due and that no runner holds. */
  queueDepth: number;
  /** Mailboxes held, and excluded (not in mailboxesByState). */
  held: number;
  excluded: number;
}

/**
 * The programme-wide figures at NOW (programme clock) and REAL_NOW (leases are real time): the report
 * layer's totals per state and failures by type, plus the last hour of passes and the due queue.
 */
export async function readMetrics(db: Kysely<Database>, now: Date, realNow: Date): Promise<MetricReadings> {
  const hourAgo = new Date(now.getTime() - HOUR_MS).toISOString();
  const recentPasses = () =>
    db.selectFrom('pass').where('finished_at', '>', hourAgo).where('finished_at', '<=', now.toISOString());
  const [totals, failures, copied, errors, stalled, queue] = await Promise.all([
    stateTotals(db),
    failureGroups(db),
    recentPasses()
      .select((eb) => eb.fn.sum('bytes').as('bytes'))
      .executeTakeFirstOrThrow(),
    recentPasses()
      .select((eb) => ['error_type', eb.fn.countAll().as('n')])
      .where('error_type', 'is not', null)
      .groupBy('error_type')
      .execute(),
    db
      .selectFrom('mailbox')
      .select((eb) => eb.fn.sum('stalled_ms').as('ms'))
      .where('stalled_ms', '>', 0)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('mailbox')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('next_due_at', '<=', now.toISOString())
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', realNow.toISOString())]))
      .executeTakeFirstOrThrow(),
  ]);
  const passErrorsByType = errors.map((e) => ({ type: e.error_type ?? 'unknown', passes: Number(e.n) }));
  return {
    mailboxesByState: totals.map((t) => ({ state: t.state, mailboxes: t.mailboxes })),
    copiedMessages: totals.reduce((n, t) => n + t.copiedMessages, 0),
    copiedBytes: totals.reduce((n, t) => n + t.copiedBytes, 0),
    copiedCalendarItems: totals.reduce((n, t) => n + t.copiedCalendarItems, 0),
    copiedContacts: totals.reduce((n, t) => n + t.copiedContacts, 0),
    copyBytesPerSecond: Number(copied.bytes ?? 0) / (HOUR_MS / 1000),
    failedByType: failures.map((f) => ({ type: f.type, mailboxes: f.count })),
    passErrorsByType,
    throttledPasses: passErrorsByType.find((e) => e.type === 'throttled')?.passes ?? 0,
    throttledSeconds: Number(stalled.ms ?? 0) / 1000,
    queueDepth: Number(queue.n),
    ...(await setAsideTotals(db)),
  };
}
