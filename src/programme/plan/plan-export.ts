import type { CsvValue } from '../../csv/csv-line.js';
import { writeCsvFile } from '../../csv/csv-file.js';
import { isoDate, NO_DAY } from './calendar-days.js';
import type { PlanDay } from './plan-batches.js';
import { stateAfter, type ProgrammePlan } from './plan-programme.js';

/**
 * The per-mailbox plan as CSV: address, organisation, day, size_bytes, told_day and state as they
 * are after the plan, and the reason a mailbox has no day.
 */
export function exportPlan(file: string, result: ProgrammePlan): void {
  const { plan, mailboxes: m, organisationCodes } = result;
  function* lines(): Generator<CsvValue[]> {
    yield ['address', 'organisation', 'day', 'size_bytes', 'told_day', 'state', 'reason'];
    for (let i = 0; i < m.address.length; i++) {
      const org = m.organisation[i]!;
      const day = plan.day[i]!;
      const told = plan.moved[i] === 1 ? NO_DAY : m.toldDay[i]!;
      const reason = plan.reason[i]!;
      yield [
        m.address[i]!,
        org < 0 ? null : organisationCodes[org]!,
        day === NO_DAY ? null : isoDate(day),
        m.sizeBytes[i]!,
        told === NO_DAY ? null : isoDate(told),
        stateAfter(plan, m, i),
        reason < 0 ? null : plan.reasons[reason]!,
      ];
    }
  }
  writeCsvFile(file, lines());
}

/** The calendar as CSV: one row per day with its load and capacity. */
export function exportCalendar(file: string, days: readonly PlanDay[]): void {
  function* lines(): Generator<CsvValue[]> {
    yield [
      'day',
      'weekday',
      'kind',
      'mailboxes',
      'capacity',
      'bytes',
      'byte_capacity',
      'kept',
      'over_capacity',
    ];
    for (const d of days)
      yield [
        d.day,
        d.weekday,
        d.kind,
        d.mailboxes,
        d.capacity,
        d.bytes,
        d.byteCapacity,
        d.kept,
        d.overCapacity ? 'yes' : 'no',
      ];
  }
  writeCsvFile(file, lines());
}
