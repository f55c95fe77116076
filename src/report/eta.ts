import { addDays, dayOf } from '../programme/calendar/calendar-day.js';
import type { StateTotals } from './state-totals.js';

const DAY_MS = 86_400_000;
/** States whose mailboxes need no more work. */
const FINISHED = new Set(['done', 'failed']);

/** What is left of the programme and when it should end. */
export interface Eta {
  /** Mailboxes not yet done or failed, and their size on the sources (as discovered). */
  mailboxesLeft: number;
  bytesLeft: number;
  /** Of those, the ones with no day yet. */
  unplanned: number;
  /** The calendar's end: the latest day of a mailbox not yet done or failed; null when none has one. */
  calendarEnd: string | null;
  /** Days from today (programme clock) to the calendar's end; 0 when it is today or overdue. */
  daysLeft: number | null;
  /** The day the work left would end at the current mailboxes-per-day rate; null at a standstill. */
  atCurrentPace: string | null;
}

/** The work left (from the per-state totals) and its end, by the calendar and by the current pace. */
export function eta(totals: StateTotals[], now: Date, mailboxesPerDay: number | null): Eta {
  const open = totals.filter((t) => !FINISHED.has(t.state));
  const left = open.reduce((n, t) => n + t.mailboxes, 0);
  const end = open.reduce<string | null>(
    (d, t) => (t.lastDay !== null && (d === null || t.lastDay > d) ? t.lastDay : d),
    null,
  );
  const today = dayOf(now);
  return {
    mailboxesLeft: left,
    bytesLeft: open.reduce((n, t) => n + t.sizeBytes, 0),
    unplanned: open.reduce((n, t) => n + t.mailboxes - t.planned, 0),
    calendarEnd: end,
    daysLeft: end === null ? null : Math.max(0, (Date.parse(end) - Date.parse(today)) / DAY_MS),
    atCurrentPace:
      left === 0 ? today : mailboxesPerDay ? addDays(today, Math.ceil(left / mailboxesPerDay)) : null,
  };
}
