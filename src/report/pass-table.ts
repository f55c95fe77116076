// One drawing of a mailbox's passes for every surface: `tranche status ADDRESS` prints it and the
// dashboard's lookup draws it. It uses only its parameters, so the dashboard sends its source text
// to the browser as it does its own functions (serve/dashboard/dashboard-script.ts).
import type { PassDetail } from './mailbox-detail.js';

/** How a surface writes moments, counts and sizes. */
export interface PassTableFormat {
  moment(iso: string | null): string;
  count(n: number): string;
  bytes(n: number): string;
}

/** A table's heading, cells and which columns are numbers (right-aligned). */
export interface PassTable {
  head: string[];
  rows: string[][];
  numeric: boolean[];
}

/**
 * PASSES as a table: kind, started, finished, outcome, messages, bytes, calendar items and contacts
 * (when any pass moved some), and the error in words.
 */
export function passTable(passes: PassDetail[], format: PassTableFormat): PassTable {
  const dav = passes.some((p) => p.calendarItems > 0 || p.contacts > 0);
  return {
    head: [
      'pass',
      'started',
      'finished',
      'outcome',
      'messages',
      'bytes',
      ...(dav ? ['calendar items', 'contacts'] : []),
      'error',
    ],
    rows: passes.map((p) => [
      p.kind,
      format.moment(p.startedAt),
      p.finishedAt ? format.moment(p.finishedAt) : 'running',
      p.outcome ?? '-',
      format.count(p.messages),
      format.bytes(p.bytes),
      ...(dav ? [format.count(p.calendarItems), format.count(p.contacts)] : []),
      p.error ? `${p.error.label}: ${p.error.reason ?? ''}` : '',
    ]),
    numeric: [false, false, false, false, true, true, ...(dav ? [true, true] : []), false],
  };
}
