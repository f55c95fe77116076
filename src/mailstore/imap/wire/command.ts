/** Part of a command line: text written as is, or bytes sent as a literal. */
export type CommandPart = string | { literal: readonly Buffer[] };

/** An astring argument: an atom when safe, else a quoted string, else a literal (8-bit, CR/LF, long). */
export function astring(value: string): CommandPart {
  if (/^[A-Za-z0-9_.\-/&+,:;<=>?@`|~!#$]+$/.test(value) && value.toUpperCase() !== 'NIL') return value;

  if (!/[\r\n\0\u0080-\uffff]/.test(value) && value.length < 1000)
    return `"${value.replace(/[\\"]/g, '\\$&')}"`;
  return { literal: [Buffer.from(value, 'utf8')] };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** Month number by lower-case name: one look-up per date parsed (a listing parses one per message). */
const MONTH_INDEX = new Map(MONTHS.map((name, i) => [name.toLowerCase(), i]));

/** An IMAP date-time ("17-Jul-1996 02:44:25 +0000"), in UTC. */
export function imapDateTime(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `"${pad(date.getUTCDate())}-${MONTHS[date.getUTCMonth()]}-${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000"`;
}

/** Parses an IMAP date-time as servers send it ("17-Jul-1996 02:44:25 -0700", day may be space-padded). */
export function parseImapDateTime(value: string): Date {
  const m = /^\s?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(value);
  if (!m) return new Date(Number.NaN);
  const [, d, mon, y, hh, mm, ss, sign, zh, zm] = m;
  const month = MONTH_INDEX.get(mon!.toLowerCase()) ?? -1;
  const utc = Date.UTC(Number(y), month, Number(d), Number(hh), Number(mm), Number(ss));
  const offset = (Number(zh) * 60 + Number(zm)) * 60_000 * (sign === '-' ? -1 : 1);
  return new Date(utc - offset);
}
