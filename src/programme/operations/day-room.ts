import { sql, type Kysely } from 'kysely';
import type { Database } from '../../state/schema.js';
import type { CapacityRules } from '../plan/calendar-days.js';
import { dayNumber } from '../plan/calendar-days.js';
import { addDays } from '../calendar/calendar-day.js';

/** Days read at a time while looking for room. */
const WINDOW = 14;
/** How far ahead room is looked for. */
const SEARCH_DAYS = 400;

/** What a day holds now: mailboxes and bytes (the planned ones, held and excluded ones have no day). */
export interface DayLoad {
  mailboxes: number;
  bytes: number;
}

/** The load of the days FROM..TO (ISO, inclusive), one indexed range read. */
export async function dayLoads(
  db: Kysely<Database>,
  from: string,
  to: string,
): Promise<Map<string, DayLoad>> {
  const rows = await db
    .selectFrom('mailbox')
    .select((eb) => [
      'batch_day',
      eb.fn.countAll<number | string>().as('n'),
      sql<number | string | null>`sum(size_bytes)`.as('bytes'),
    ])
    .where('batch_day', '>=', from)
    .where('batch_day', '<=', to)
    .groupBy('batch_day')
    .execute();
  return new Map(rows.map((r) => [r.batch_day!, { mailboxes: Number(r.n), bytes: Number(r.bytes ?? 0) }]));
}

/**
 * Finds days with room, from a first day on, for mailboxes added one at a time (a retry, a release):
 * each takes room on the first day whose capacity (the schedule and the days people changed) it fits.
 */
export class RoomFinder {
  readonly #loads = new Map<string, DayLoad>();
  #readUpTo: string | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly rules: CapacityRules,
  ) {}

  /** The first day from FROM with room for one mailbox of SIZE bytes, taken; undefined when none. */
  async take(
    from: string,
    size: number,
    blackout: (day: string) => boolean = () => false,
  ): Promise<string | undefined> {
    for (let i = 0; i < SEARCH_DAYS; i++) {
      const day = addDays(from, i);
      const load = await this.load(day);
      const room = this.rules.room(dayNumber(day));
      if (blackout(day) || load.mailboxes + 1 > room.mailboxes || load.bytes + size > room.bytes) continue;
      load.mailboxes++;
      load.bytes += size;
      return day;
    }
    return undefined;
  }

  /** Whether DAY has room for one more mailbox of SIZE bytes (not taken). */
  async fits(day: string, size: number): Promise<boolean> {
    const load = await this.load(day);
    const room = this.rules.room(dayNumber(day));
    return load.mailboxes + 1 <= room.mailboxes && load.bytes + size <= room.bytes;
  }

  private async load(day: string): Promise<DayLoad> {
    if (this.#readUpTo === undefined || day > this.#readUpTo || !this.#loads.has(day)) {
      if (this.#readUpTo === undefined || day > this.#readUpTo) {
        const to = addDays(day, WINDOW - 1);
        for (const [d, l] of await dayLoads(this.db, day, to)) this.#loads.set(d, l);
        this.#readUpTo = to;
      }
    }
    let load = this.#loads.get(day);
    if (!load) this.#loads.set(day, (load = { mailboxes: 0, bytes: 0 }));
    return load;
  }
}
