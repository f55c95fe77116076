import { sql, type Kysely } from 'kysely';
import type { Database } from '../state/schema.js';
import { addDays, dayOf } from '../programme/calendar/calendar-day.js';
import { organisationCodes, type OrganisationFilter } from './organisation-filter.js';

/** One programme day's work: mailboxes done, and what the passes that finished that day copied. */
export interface DailyThroughput {
  day: string;
  mailboxesDone: number;
  messages: number;
  bytes: number;
}

/**
 * The last DAYS programme days up to NOW (oldest first, every day present, zero included): mailboxes
 * done per day (done_at) and messages and bytes per day (passes by finished_at), of the organisations
 * given. Both read ranges of the done_at and finished_at indexes; each groups by the date part.
 */
export async function dailyThroughput(
  db: Kysely<Database>,
  now: Date,
  days: number,
  organisation?: OrganisationFilter,
): Promise<DailyThroughput[]> {
  const today = dayOf(now);
  const first = addDays(today, -(days - 1));
  const end = now.toISOString();
  const codes = organisation === undefined ? undefined : organisationCodes(organisation);
  const [done, copied] = await Promise.all([
    db
      .selectFrom('mailbox')
      .select((eb) => [sql<string>`substr(done_at, 1, 10)`.as('day'), eb.fn.countAll().as('n')])
      .where('state', '=', 'done')
      .where('done_at', '>=', first)
      .where('done_at', '<=', end)
      .$if(codes !== undefined, (q) => q.where('organisation', 'in', codes!))
      .groupBy(sql`substr(done_at, 1, 10)`)
      .execute(),
    db
      .selectFrom('pass')
      .select((eb) => [
        sql<string>`substr(finished_at, 1, 10)`.as('day'),
        eb.fn.sum('messages').as('messages'),
        eb.fn.sum('bytes').as('bytes'),
      ])
      .where('finished_at', '>=', first)
      .where('finished_at', '<=', end)
      .$if(codes !== undefined, (q) =>
        q.where(
          'mailbox',
          'in',
          db.selectFrom('mailbox').select('address').where('organisation', 'in', codes!),
        ),
      )
      .groupBy(sql`substr(finished_at, 1, 10)`)
      .execute(),
  ]);
  const series = new Map<string, DailyThroughput>();
  for (let i = 0; i < days; i++) {
    const day = addDays(first, i);
    series.set(day, { day, mailboxesDone: 0, messages: 0, bytes: 0 });
  }
  for (const d of done) {
    const entry = series.get(d.day);
    if (entry) entry.mailboxesDone = Number(d.n);
  }
  for (const c of copied) {
    const entry = series.get(c.day);
    if (entry) {
      entry.messages = Number(c.messages ?? 0);
      entry.bytes = Number(c.bytes ?? 0);
    }
  }
  return [...series.values()];
}
