import type { Kysely } from 'kysely';
import type { OperationRow } from '../../state/mailbox/operation-rows.js';
import type { Database } from '../../state/schema.js';
import { addDays, dayOf, isIsoDay } from '../calendar/calendar-day.js';
import { dayNumber } from '../plan/calendar-days.js';
import { programmeCapacity } from '../plan/day-overrides.js';
import { dayLoads } from './day-room.js';
import { count, type OperationInput } from './operation.js';
import { refuseIf } from './refusal.js';

/** What moving mailboxes to a day means for that day. */
export interface TargetDay {
  day: string;
  /** Users not yet told whose day would fall inside the notice period (allowed only with --force). */
  shortNotice: string[];
  /** Over capacity after the move: the words to say so (pins are kept over capacity). */
  overCapacity: string | undefined;
}

/** The organisations' own blackout days, by code. */
async function blackoutsOf(db: Kysely<Database>, codes: readonly string[]): Promise<Map<string, string[]>> {
  if (codes.length === 0) return new Map();
  const orgs = await db
    .selectFrom('organisation')
    .select(['code', 'blackout_dates'])
    .where('code', 'in', [...codes])
    .execute();
  return new Map(orgs.map((o) => [o.code, o.blackout_dates.split(/[;\s]+/).filter(Boolean)]));
}

/**
 * Checks DAY as the day ROWS move to, all or nothing: a real date, not past, not closed or blacked
 * out (for the programme or a mailbox's organisation), not inside the notice period for a user not
 * yet told unless forced (who would have short notice is named either way).
 */
export async function checkTargetDay(
  input: OperationInput,
  day: string,
  rows: readonly OperationRow[],
): Promise<TargetDay> {
  refuseIf(isIsoDay(day) ? [] : [`--to ${day} is not a date (YYYY-MM-DD)`]);
  const today = dayOf(input.now);
  refuseIf(day < today ? [`${day} is in the past`] : []);
  const rules = await programmeCapacity(input.db, input.config.schedule);
  const room = rules.room(dayNumber(day));
  refuseIf(
    room.kind === 'blackout' || room.mailboxes === 0 ? [`${day} is closed (it takes no mailboxes)`] : [],
  );
  const codes = [...new Set(rows.map((r) => r.organisation).filter((c): c is string => c !== null))];
  const blackouts = await blackoutsOf(input.db, codes);
  refuseIf(
    codes.filter((c) => blackouts.get(c)?.includes(day)).map((c) => `${day} is a blackout day of ${c}`),
  );
  const noticeFrom = addDays(today, input.config.schedule.noticeDays);
  const shortNotice =
    day < noticeFrom
      ? rows.filter((r) => r.told_day === null && r.batch_day !== day).map((r) => r.address)
      : [];
  if (!input.force) {
    refuseIf(
      shortNotice.length > 0
        ? [
            `${day} is inside the notice period (${input.config.schedule.noticeDays} days, first day ${noticeFrom}) for ${count(shortNotice.length, 'user')} not yet told (${shortNotice.slice(0, 5).join(', ')}${shortNotice.length > 5 ? ', …' : ''}); --force to go ahead`,
          ]
        : [],
    );
  }
  const load = (await dayLoads(input.db, day, day)).get(day) ?? { mailboxes: 0, bytes: 0 };
  const arriving = rows.filter((r) => r.batch_day !== day);
  const after = load.mailboxes + arriving.length;
  const bytes = load.bytes + arriving.reduce((s, r) => s + Number(r.size_bytes ?? 0), 0);
  const overCapacity =
    after > room.mailboxes || bytes > room.bytes
      ? `${day} will be over capacity: ${after} mailboxes for ${room.mailboxes} (pinned mailboxes are kept there)`
      : undefined;
  return { day, shortNotice, overCapacity };
}
