import type { Kysely } from 'kysely';
import type { Database } from '../state/schema.js';
import { readProgrammeDays } from '../state/day/programme-days.js';
import type { ScheduleConfig } from '../programme/config/config.js';
import { dayNumber, isWeekend } from '../programme/plan/calendar-days.js';
import { organisationCodes, type OrganisationFilter } from './organisation-filter.js';

/** One day of the batch calendar: its capacity and how its mailboxes stand. */
export interface CalendarDay {
  day: string;
  kind: 'weekday' | 'weekend';
  /** No moves that day (the programme's blackout dates, and the organisation's when restricted to one). */
  blackout: boolean;
  /** People closed it (`tranche day close`): it takes nobody more. */
  closed: boolean;
  /** The day's capacity from the configuration or as people set it (zero mailboxes on a blackout or closed day). */
  capacity: { mailboxes: number; bytes: number | null };
  /** Mailboxes planned for the day, in any state, and their size. */
  planned: number;
  plannedBytes: number;
  done: number;
  failed: number;
  /** Pre-staged or at cutover: copying has begun. */
  inProgress: number;
  /** Neither done nor failed (in progress included). */
  remaining: number;
  /** More mailboxes or bytes planned than the day's capacity (a forced re-plan, or a changed configuration). */
  overCapacity: boolean;
}

/** Which part of the calendar to show. */
export interface CalendarOptions {
  /** Only this organisation's mailboxes (and its blackout dates); of several: their mailboxes, the programme's blackout dates. */
  organisation?: OrganisationFilter;
  /** Only this day; it is returned even when no mailbox has it. */
  day?: string;
}

/** The capacity of DAY: weekday or weekend (UTC), none on a blackout day. */
export function dayCapacity(
  day: string,
  schedule: ScheduleConfig,
  blackouts: ReadonlySet<string>,
): Pick<CalendarDay, 'kind' | 'blackout' | 'closed' | 'capacity'> {
  // The planner's rule for which capacity a day takes.
  const kind = isWeekend(dayNumber(day)) ? 'weekend' : 'weekday';
  const blackout = blackouts.has(day);
  const capacity = schedule[kind];
  return {
    kind,
    blackout,
    closed: false,
    capacity: {
      mailboxes: blackout ? 0 : capacity.mailboxes,
      bytes: blackout ? 0 : (capacity.bytes ?? null),
    },
  };
}

/**
 * The days that have mailboxes, in order, each against its capacity: one GROUP BY (state, day) over
 * the mailbox table, so the rows are states × days however many mailboxes there are.
 */
export async function dayCalendar(
  db: Kysely<Database>,
  schedule: ScheduleConfig,
  options: CalendarOptions = {},
): Promise<CalendarDay[]> {
  const { organisation, day } = options;
  const blackouts = new Set(schedule.blackoutDates);
  if (typeof organisation === 'string') {
    const org = await db
      .selectFrom('organisation')
      .select('blackout_dates')
      .where('code', '=', organisation)
      .executeTakeFirst();
    for (const d of org?.blackout_dates.split(';') ?? []) if (d.trim()) blackouts.add(d.trim());
  }
  const rows = await db
    .selectFrom('mailbox')
    .select((eb) => ['batch_day', 'state', eb.fn.countAll().as('n'), eb.fn.sum('size_bytes').as('bytes')])
    .where('batch_day', 'is not', null)
    .$if(organisation !== undefined, (q) => q.where('organisation', 'in', organisationCodes(organisation!)))
    .$if(day !== undefined, (q) => q.where('batch_day', '=', day!))
    // State first, no ORDER BY: SQLite then scans instead of visiting the table in day order.
    .groupBy(['state', 'batch_day'])
    .execute();
  const days = new Map<string, CalendarDay>();
  const entry = (d: string): CalendarDay => {
    let found = days.get(d);
    if (!found) {
      found = {
        day: d,
        ...dayCapacity(d, schedule, blackouts),
        planned: 0,
        plannedBytes: 0,
        done: 0,
        failed: 0,
        inProgress: 0,
        remaining: 0,
        overCapacity: false,
      };
      days.set(d, found);
    }
    return found;
  };
  if (day !== undefined) entry(day);
  for (const row of rows) {
    const e = entry(row.batch_day!);
    const n = Number(row.n);
    e.planned += n;
    e.plannedBytes += Number(row.bytes ?? 0);
    if (row.state === 'done') e.done += n;
    else if (row.state === 'failed') e.failed += n;
    else e.remaining += n;
    if (row.state === 'prestaged' || row.state === 'cutover') e.inProgress += n;
  }
  // What people decided about a day (closed, another capacity) wins over the schedule's.
  const changed = await readProgrammeDays(db);
  for (const e of days.values()) {
    const set = changed.get(e.day);
    if (!set || e.blackout) continue;
    e.closed = Number(set.closed) === 1;
    if (e.closed) e.capacity = { mailboxes: 0, bytes: 0 };
    else
      e.capacity = {
        mailboxes: set.mailboxes ?? e.capacity.mailboxes,
        bytes: set.bytes === null ? e.capacity.bytes : Number(set.bytes),
      };
  }
  for (const e of days.values())
    e.overCapacity =
      e.planned > e.capacity.mailboxes || (e.capacity.bytes !== null && e.plannedBytes > e.capacity.bytes);
  return [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
}
