import bytes from 'bytes';
import type { ScheduleConfig } from '../config/config.js';
import {
  CapacityRules,
  dayNumber,
  isoDate,
  NO_DAY,
  weekdayName,
  type DayKind,
  type DayOverride,
} from './calendar-days.js';
import { RoomIndex } from './room-index.js';
import { seededRandom, shuffleInPlace } from './seeded-shuffle.js';

/** Where a mailbox stands before the plan, as the planner needs to know it (mailbox.state). */
export const STATUS = { imported: 0, scheduled: 1, prestaged: 2, failed: 3 } as const;

/** What the plan did with a mailbox. */
export const OUTCOME = {
  /** Given a day (maybe the day it had). */
  placed: 1,
  /** A told user kept on the day they were told. */
  kept: 2,
  /** No day: see its reason. */
  unplaced: 3,
} as const;

/** An organisation as the planner sees it. */
export interface PlanOrganisation {
  code: string;
  pilot: boolean;
  /** ISO dates without moves for this organisation (the organisation's blackout_dates). */
  blackoutDates: readonly string[];
}

/**
 * The mailboxes a plan may touch, column by column (row i of every column is one mailbox), so
 * millions fit without an object each. Mailboxes in cutover or done, or held under a live lease,
 * are not given: the plan never touches them.
 */
export interface PlanMailboxes {
  address: readonly string[];
  /** Index into PlanInput.organisations, -1 for none. */
  organisation: Int32Array;
  /** Bytes on the source; 0 when unknown. */
  sizeBytes: Float64Array;
  /** A STATUS code. */
  status: Uint8Array;
  /** The day it has (batch_day) as a day number, NO_DAY for none. */
  previousDay: Int32Array;
  /** The day the user was told (told_day), NO_DAY when not told. */
  toldDay: Int32Array;
  /** Why a mailbox can't be scheduled (failed or missing logins), by row. */
  blockers: ReadonlyMap<number, string>;
  /** The day people pinned it to (`mailbox move`, `org move`), NO_DAY for none; absent: no pins. */
  pinnedDay?: Int32Array;
}

/** Everything a plan depends on: same input, same plan. */
export interface PlanInput {
  /** The plan date (ISO): the notice period counts from it. */
  planDate: string;
  schedule: ScheduleConfig;
  /** Re-place told users too. */
  force: boolean;
  organisations: readonly PlanOrganisation[];
  mailboxes: PlanMailboxes;
  /** Days people closed or gave another capacity, by day number. */
  dayOverrides?: ReadonlyMap<number, DayOverride>;
}

/** One day of the calendar as planned. */
export interface PlanDay {
  day: string;
  weekday: string;
  kind: DayKind;
  /** Mailboxes on the day: kept and newly placed. */
  mailboxes: number;
  capacity: number;
  bytes: number;
  /** null when the schedule sets no byte limit. */
  byteCapacity: number | null;
  /** Told users kept on the day. */
  kept: number;
  /** Over capacity, which only kept told users can cause. */
  overCapacity: boolean;
}

/** Totals of a plan. */
export interface PlanCounts {
  /** Mailboxes the plan covered. */
  mailboxes: number;
  /** Placed on a day (changed or not). */
  placed: number;
  /** Placed where they were already, nothing to write. */
  unchanged: number;
  /** Told users kept on their day. */
  kept: number;
  /** Told users whose day changed or went (a rescheduled notice is owed). */
  moved: number;
  unplaced: number;
}

/** A plan: per mailbox (rows as in the input), its day, outcome and reason; the calendar; the totals. */
export interface Plan {
  /** Day number per row; NO_DAY when unplaced. */
  day: Int32Array;
  /** An OUTCOME code per row. */
  outcome: Uint8Array;
  /** 1 for told users whose day changed or went. */
  moved: Uint8Array;
  /** Index into reasons per unplaced row, -1 otherwise. */
  reason: Int32Array;
  reasons: string[];
  /** The first day the notice period allows (ISO). */
  firstDay: string;
  /** The first day past the search (ISO): nothing is placed on or after it. */
  horizonEnd: string;
  /** Every day from the first to the last with a mailbox on it. */
  days: PlanDay[];
  counts: PlanCounts;
  /** Mailboxes kept on the day people pinned them to (even over capacity). */
  pinned: number;
}

/** Byte sizes in reasons, in the units the configuration is written in ('50 GB'). */
const sizeText = (n: number): string =>
  bytes.format(n, { unitSeparator: ' ', decimalPlaces: 1 }) ?? String(n);

/** The reasons of unplaced rows, each text stored once. */
class Reasons {
  readonly texts: string[] = [];
  private readonly ids = new Map<string, number>();
  id(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.texts.length;
      this.texts.push(text);
      this.ids.set(text, id);
    }
    return id;
  }
}

/**
 * Assigns every schedulable mailbox to a day (rules in docs/planning.md). Pure and deterministic:
 * rows are sorted by address, then shuffled with the seed, so the same mailboxes and seed give the
 * same plan whatever order they come in. Pilot organisations' mailboxes go first, all on days before
 * any other new placement; told users keep their day unless forced; each day is filled first-fit.
 */
export function planBatches(input: PlanInput): Plan {
  const { schedule, organisations, mailboxes: m } = input;
  const n = m.address.length;
  const today = dayNumber(input.planDate);
  const start = today + schedule.noticeDays;
  const end = Math.max(start, today + schedule.horizonDays);
  const rules = new CapacityRules(schedule, input.dayOverrides);
  const windowDays = end - start;
  const freeCount = new Float64Array(windowDays);
  const freeBytes = new Float64Array(windowDays);
  for (let d = 0; d < windowDays; d++) {
    const room = rules.room(start + d);
    freeCount[d] = room.mailboxes;
    freeBytes[d] = room.mailboxes > 0 ? room.bytes : 0;
  }
  const orgBlackouts = organisations.map((o) => {
    const days = o.blackoutDates.map(dayNumber).filter((d) => d >= start && d < end);
    return days.length > 0 ? new Set(days.map((d) => d - start)) : undefined;
  });
  const day = new Int32Array(n).fill(NO_DAY);
  const outcome = new Uint8Array(n);
  const moved = new Uint8Array(n);
  const reason = new Int32Array(n).fill(-1);
  const reasons = new Reasons();
  const unplace = (i: number, text: string): void => {
    outcome[i] = OUTCOME.unplaced;
    reason[i] = reasons.id(text);
  };

  // Kept told users first: their days count against capacity before anyone else is placed.
  const keptOutside = new Map<number, { count: number; bytes: number }>();
  const room = new RoomIndex(freeCount, freeBytes);
  const keptInWindow = new Float64Array(windowDays);
  const usedCount = new Float64Array(windowDays);
  const usedBytes = new Float64Array(windowDays);
  const take = (d: number, count: number, size: number): void => {
    room.take(d, count, size);
    usedCount[d]! += count;
    usedBytes[d]! += size;
  };
  const pinned = keepPins(m, (i, d) => {
    day[i] = d;
    outcome[i] =
      d === m.previousDay[i] && m.status[i] !== STATUS.failed && m.status[i] !== STATUS.imported
        ? OUTCOME.kept
        : OUTCOME.placed;
    if (d >= start && d < end) {
      take(d - start, 1, m.sizeBytes[i]!);
      keptInWindow[d - start]!++;
    } else {
      const outside = keptOutside.get(d) ?? { count: 0, bytes: 0 };
      outside.count++;
      outside.bytes += m.sizeBytes[i]!;
      keptOutside.set(d, outside);
    }
  });
  for (let i = 0; i < n; i++) {
    const status = m.status[i]!;
    const previous = m.previousDay[i]!;
    if (
      outcome[i] !== 0 ||
      input.force ||
      m.toldDay[i] === NO_DAY ||
      previous === NO_DAY ||
      (status !== STATUS.scheduled && status !== STATUS.prestaged)
    )
      continue;
    outcome[i] = OUTCOME.kept;
    day[i] = previous;
    if (previous >= start && previous < end) {
      take(previous - start, 1, m.sizeBytes[i]!);
      keptInWindow[previous - start]!++;
    } else {
      const outside = keptOutside.get(previous) ?? { count: 0, bytes: 0 };
      outside.count++;
      outside.bytes += m.sizeBytes[i]!;
      keptOutside.set(previous, outside);
    }
  }

  const open = rules.openKinds();
  const largestDay = Math.max(0, ...open.map((k) => k.bytes));
  const noRoom = `no day with room before ${isoDate(end)}`;
  // Everyone else in address order, then shuffled: the order of the input does not matter.
  const order = sortedRows(m.address);
  const random = seededRandom(schedule.seed);
  shuffleInPlace(order, random);
  const toPlace: number[] = [];
  for (const i of order) {
    if (outcome[i] !== 0) continue;
    const blocker = m.blockers.get(i);
    if (blocker !== undefined) unplace(i, blocker);
    else if (open.length > 0 && m.sizeBytes[i]! > largestDay)
      unplace(
        i,
        `larger than a day's byte capacity (${sizeText(m.sizeBytes[i]!)} > ${sizeText(largestDay)})`,
      );
    else toPlace.push(i);
  }

  const isPilot = (i: number): boolean => {
    const org = m.organisation[i]!;
    return org >= 0 && organisations[org]!.pilot;
  };
  const blackedOut = (org: number, d: number): boolean => org >= 0 && orgBlackouts[org]?.has(d) === true;
  /** First-fit of one mailbox from window day FROM; returns its window day or -1. */
  const placeOne = (i: number, from: number): number => {
    const size = m.sizeBytes[i]!;
    const org = m.organisation[i]!;
    let d = room.firstFit(from, size);
    while (d >= 0 && blackedOut(org, d)) d = room.firstFit(d + 1, size);
    if (d < 0) {
      unplace(i, noRoom);
      return -1;
    }
    take(d, 1, size);
    day[i] = start + d;
    outcome[i] = OUTCOME.placed;
    return d;
  };

  // The pilot wave, then the rest strictly after its last day.
  let lastPilot = -1;
  if (!schedule.keepOrganisationsWhole) {
    for (const i of toPlace) if (isPilot(i)) lastPilot = Math.max(lastPilot, placeOne(i, 0));
    for (const i of toPlace) if (!isPilot(i)) placeOne(i, lastPilot + 1);
  } else {
    const units = organisationUnits(toPlace, m, organisations, random);
    const place = (unit: number[], from: number): number => {
      let sizeSum = 0;
      for (const i of unit) sizeSum += m.sizeBytes[i]!;
      const org = m.organisation[unit[0]!]!;
      const fitsOneDay = open.some((k) => unit.length <= k.mailboxes && sizeSum <= k.bytes);
      if (unit.length === 1 || !fitsOneDay) {
        let last = -1;
        for (const i of unit) last = Math.max(last, placeOne(i, from));
        return last;
      }
      // The whole organisation on the first day with room for all of it.
      let d = room.firstFit(from, sizeSum);
      while (d >= 0 && (room.mailboxes[d]! < unit.length || blackedOut(org, d)))
        d = room.firstFit(d + 1, sizeSum);
      if (d < 0) {
        const why = `no day with room for all ${unit.length} mailboxes of ${organisations[org]!.code} before ${isoDate(end)}`;
        for (const i of unit) unplace(i, why);
        return -1;
      }
      take(d, unit.length, sizeSum);
      for (const i of unit) {
        day[i] = start + d;
        outcome[i] = OUTCOME.placed;
      }
      return d;
    };
    for (const unit of units) if (isPilot(unit[0]!)) lastPilot = Math.max(lastPilot, place(unit, 0));
    for (const unit of units) if (!isPilot(unit[0]!)) place(unit, lastPilot + 1);
  }

  const counts: PlanCounts = { mailboxes: n, placed: 0, unchanged: 0, kept: 0, moved: 0, unplaced: 0 };
  for (let i = 0; i < n; i++) {
    const o = outcome[i]!;
    if (o === OUTCOME.kept) counts.kept++;
    else if (o === OUTCOME.unplaced) counts.unplaced++;
    else {
      counts.placed++;
      if (!needsWrite(m, i, day[i]!)) counts.unchanged++;
    }
    // A failed mailbox left without a day stays as it is (failed) until a plan finds it one.
    const leftFailed = o === OUTCOME.unplaced && m.status[i] === STATUS.failed;
    if (o !== OUTCOME.kept && !leftFailed && m.toldDay[i] !== NO_DAY && m.previousDay[i] !== NO_DAY) {
      if (day[i] !== m.previousDay[i]) {
        moved[i] = 1;
        counts.moved++;
      }
    }
  }
  const days = calendar(rules, start, usedCount, usedBytes, keptInWindow, keptOutside);
  return {
    day,
    outcome,
    moved,
    reason,
    reasons: reasons.texts,
    firstDay: isoDate(start),
    horizonEnd: isoDate(end),
    days,
    counts,
    pinned,
  };
}

/** Calls KEEP(row, day) for every pinned row, before anyone else takes room; returns how many. */
function keepPins(m: PlanMailboxes, keep: (i: number, day: number) => void): number {
  let pinned = 0;
  if (!m.pinnedDay) return 0;
  for (let i = 0; i < m.address.length; i++) {
    const d = m.pinnedDay[i]!;
    // A pinned mailbox that failed is re-placed as any failed one (`mailbox retry` is the way back).
    if (d === NO_DAY || m.status[i] === STATUS.failed) continue;
    keep(i, d);
    pinned++;
  }
  return pinned;
}

/** A placed row must be written: its day is new or changed, or its state must change (imported, failed). */
export function needsWrite(m: PlanMailboxes, i: number, newDay: number): boolean {
  const status = m.status[i]!;
  return newDay !== m.previousDay[i] || status === STATUS.imported || status === STATUS.failed;
}

/** Row numbers sorted by address (code-unit order). */
function sortedRows(address: readonly string[]): Int32Array {
  const rows = Array.from({ length: address.length }, (_, i) => i);
  rows.sort((a, b) => {
    const x = address[a]!;
    const y = address[b]!;
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return Int32Array.from(rows);
}

/**
 * The units of keepOrganisationsWhole: each organisation's mailboxes (in the shuffled order) and
 * each mailbox without one alone; sorted (organisations by code, then lone mailboxes by address) and
 * shuffled with the seed.
 */
function organisationUnits(
  toPlace: readonly number[],
  m: PlanMailboxes,
  organisations: readonly PlanOrganisation[],
  random: () => number,
): number[][] {
  const members: (number[] | undefined)[] = new Array<number[] | undefined>(organisations.length);
  const alone: number[] = [];
  for (const i of toPlace) {
    const org = m.organisation[i]!;
    if (org < 0) alone.push(i);
    else (members[org] ??= []).push(i);
  }
  const byCode = organisations
    .map((o, index) => ({ code: o.code, index }))
    .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  const units: number[][] = [];
  for (const { index } of byCode) {
    const unit = members[index];
    if (unit) units.push(unit);
  }
  alone.sort((a, b) => (m.address[a]! < m.address[b]! ? -1 : m.address[a]! > m.address[b]! ? 1 : 0));
  for (const i of alone) units.push([i]);
  const order = Int32Array.from(units.keys());
  shuffleInPlace(order, random);
  return Array.from(order, (u) => units[u]!);
}

/** The calendar from the first to the last day with a mailbox, each day's load against its capacity. */
function calendar(
  rules: CapacityRules,
  start: number,
  usedCount: Float64Array,
  usedBytes: Float64Array,
  keptInWindow: Float64Array,
  keptOutside: ReadonlyMap<number, { count: number; bytes: number }>,
): PlanDay[] {
  const load = new Map<number, { count: number; bytes: number; kept: number }>();
  for (let d = 0; d < usedCount.length; d++) {
    if (usedCount[d]! > 0)
      load.set(start + d, { count: usedCount[d]!, bytes: usedBytes[d]!, kept: keptInWindow[d]! });
  }
  for (const [d, k] of keptOutside) load.set(d, { count: k.count, bytes: k.bytes, kept: k.count });
  if (load.size === 0) return [];
  let first = Infinity;
  let last = -Infinity;
  for (const d of load.keys()) {
    first = Math.min(first, d);
    last = Math.max(last, d);
  }
  const days: PlanDay[] = [];
  for (let d = first; d <= last; d++) {
    const room = rules.room(d);
    const l = load.get(d) ?? { count: 0, bytes: 0, kept: 0 };
    days.push({
      day: isoDate(d),
      weekday: weekdayName(d),
      kind: room.kind,
      mailboxes: l.count,
      capacity: room.mailboxes,
      bytes: l.bytes,
      byteCapacity: Number.isFinite(room.bytes) ? room.bytes : null,
      kept: l.kept,
      overCapacity: l.count > room.mailboxes || l.bytes > room.bytes,
    });
  }
  return days;
}
