import type { Kysely } from 'kysely';
import { readProgrammeDays } from '../../state/day/programme-days.js';
import type { Database } from '../../state/schema.js';
import { CapacityRules, dayNumber, type DayOverride } from './calendar-days.js';
import type { ScheduleConfig } from '../config/config.js';

/** The days people closed or gave another capacity, by day number, as the planner reads them. */
export async function readDayOverrides(db: Kysely<Database>): Promise<Map<number, DayOverride>> {
  const days = await readProgrammeDays(db);
  return new Map(
    [...days.values()].map((d) => [
      dayNumber(d.day),
      {
        closed: Number(d.closed) === 1,
        mailboxes: d.mailboxes,
        bytes: d.bytes === null ? null : Number(d.bytes),
      },
    ]),
  );
}

/** The schedule's capacity rules with the days people changed. */
export async function programmeCapacity(
  db: Kysely<Database>,
  schedule: ScheduleConfig,
): Promise<CapacityRules> {
  return new CapacityRules(schedule, await readDayOverrides(db));
}
