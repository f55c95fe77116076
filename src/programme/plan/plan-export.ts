import { closeSync, openSync, writeSync } from 'node:fs';
import { TrancheError } from '../../errors/tranche-error.js';
import { isoDate, NO_DAY } from './calendar-days.js';
import type { PlanDay } from './plan-batches.js';
import { stateAfter, type ProgrammePlan } from './plan-programme.js';

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break; inner quotes doubled. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const csvLine = (fields: (string | number | null)[]): string => `${fields.map(csvField).join(',')}\n`;

/** Writes lines to FILE in large blocks (an export of millions of rows is never one string). */
function writeLines(file: string, lines: Iterable<string>): void {
  let fd: number;
  try {
    fd = openSync(file, 'w', 0o600);
  } catch (error) {
    throw new TrancheError(
      'usage',
      `cannot write ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  try {
    let block = '';
    for (const line of lines) {
      block += line;
      if (block.length >= 1 << 20) {
        writeSync(fd, block);
        block = '';
      }
    }
    writeSync(fd, block);
  } finally {
    closeSync(fd);
  }
}

/**
 * The per-mailbox plan as CSV: address, organisation, day, size_bytes, told_day and state as they
 * are after the plan, and the reason a mailbox has no day.
 */
export function exportPlan(file: string, result: ProgrammePlan): void {
  const { plan, mailboxes: m, organisationCodes } = result;
  function* lines(): Generator<string> {
    yield csvLine(['address', 'organisation', 'day', 'size_bytes', 'told_day', 'state', 'reason']);
    for (let i = 0; i < m.address.length; i++) {
      const org = m.organisation[i]!;
      const day = plan.day[i]!;
      const told = plan.moved[i] === 1 ? NO_DAY : m.toldDay[i]!;
      const reason = plan.reason[i]!;
      yield csvLine([
        m.address[i]!,
        org < 0 ? null : organisationCodes[org]!,
        day === NO_DAY ? null : isoDate(day),
        m.sizeBytes[i]!,
        told === NO_DAY ? null : isoDate(told),
        stateAfter(plan, m, i),
        reason < 0 ? null : plan.reasons[reason]!,
      ]);
    }
  }
  writeLines(file, lines());
}

/** The calendar as CSV: one row per day with its load and capacity. */
export function exportCalendar(file: string, days: readonly PlanDay[]): void {
  function* lines(): Generator<string> {
    yield csvLine([
      'day',
      'weekday',
      'kind',
      'mailboxes',
      'capacity',
      'bytes',
      'byte_capacity',
      'kept',
      'over_capacity',
    ]);
    for (const d of days)
      yield csvLine([
        d.day,
        d.weekday,
        d.kind,
        d.mailboxes,
        d.capacity,
        d.bytes,
        d.byteCapacity,
        d.kept,
        d.overCapacity ? 'yes' : 'no',
      ]);
  }
  writeLines(file, lines());
}
