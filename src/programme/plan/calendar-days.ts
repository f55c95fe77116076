import type { ScheduleConfig } from '../config/config.js';

const DAY_MS = 86_400_000;

/** No day: a mailbox not (or no longer) planned. Day numbers count days since 1970-01-01. */
export const NO_DAY = -1;

/** The day number of an ISO date (UTC); NO_DAY for text that is not a date. */
export function dayNumber(iso: string): number {
  const ms = Date.parse(`${iso}T00:00:00.000Z`);
  return Number.isNaN(ms) ? NO_DAY : Math.floor(ms / DAY_MS);
}

/** The ISO date of a day number. */
export function isoDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/** The day of the week of a day number, as Mon, Tue, … (1970-01-01 was a Thursday). */
export function weekdayName(day: number): (typeof WEEKDAYS)[number] {
  return WEEKDAYS[(((day + 4) % 7) + 7) % 7]!;
}

/** Saturday or Sunday (UTC dates). */
export function isWeekend(day: number): boolean {
  const dow = (((day + 4) % 7) + 7) % 7;
  return dow === 0 || dow === 6;
}

/** What a day is for the planner: a weekday, a weekend day, or a programme-wide blackout. */
export type DayKind = 'weekday' | 'weekend' | 'blackout';

/** A day's kind and what it holds: mailboxes, and bytes (Infinity when the config sets no byte limit). */
export interface DayRoom {
  kind: DayKind;
  mailboxes: number;
  bytes: number;
}

/** What people decided about one day (`tranche day close|capacity`): closed, or another capacity. */
export interface DayOverride {
  closed: boolean;
  mailboxes: number | null;
  bytes: number | null;
}

/**
 * The capacity of each day under the schedule: by weekday or weekend, none on programme blackouts or
 * days people closed, another one on days people set.
 */
export class CapacityRules {
  private readonly blackouts: Set<number>;

  constructor(
    private readonly schedule: ScheduleConfig,
    private readonly overrides: ReadonlyMap<number, DayOverride> = new Map(),
  ) {
    this.blackouts = new Set(schedule.blackoutDates.map(dayNumber));
  }

  /** The day's kind and capacity. */
  room(day: number): DayRoom {
    const override = this.overrides.get(day);
    if (this.blackouts.has(day) || override?.closed) return { kind: 'blackout', mailboxes: 0, bytes: 0 };
    if (override) {
      const usual = this.usual(day);
      return {
        kind: usual.kind,
        mailboxes: override.mailboxes ?? usual.mailboxes,
        bytes: override.bytes ?? usual.bytes,
      };
    }
    return this.usual(day);
  }

  /** The day's kind and capacity by the schedule alone. */
  private usual(day: number): DayRoom {
    const weekend = isWeekend(day);
    const capacity = weekend ? this.schedule.weekend : this.schedule.weekday;
    return {
      kind: weekend ? 'weekend' : 'weekday',
      mailboxes: capacity.mailboxes,
      bytes: capacity.bytes ?? Infinity,
    };
  }

  /** The capacities of the kinds of day that take mailboxes at all (weekday, weekend or both). */
  openKinds(): { mailboxes: number; bytes: number }[] {
    return [this.schedule.weekday, this.schedule.weekend]
      .filter((c) => c.mailboxes > 0)
      .map((c) => ({ mailboxes: c.mailboxes, bytes: c.bytes ?? Infinity }));
  }
}
