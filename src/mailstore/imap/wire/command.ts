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
/** Month number by name, as servers write it ("Jul") and in lower case: one look-up per date parsed. */
const MONTH_INDEX = new Map(
  MONTHS.flatMap((name, i) => [[name, i] as const, [name.toLowerCase(), i] as const]),
);

/** An IMAP date-time ("17-Jul-1996 02:44:25 +0000"), in UTC. */
export function imapDateTime(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `"${pad(date.getUTCDate())}-${MONTHS[date.getUTCMonth()]}-${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000"`;
}

/** The digits of value[at..at+width) as a number; -1 when one is not a digit. */
function digits(value: string, at: number, width: number): number {
  let n = 0;
  for (let i = at; i < at + width; i++) {
    const d = value.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

const DATE_TIME = /^\s?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;

/** Parses an IMAP date-time as servers send it ("17-Jul-1996 02:44:25 -0700", day may be space-padded). */
export function parseImapDateTime(value: string): Date {
  // A listing parses one per message: the usual form, "dd-Mon-yyyy hh:mm:ss +zzzz", is read in
  // place; anything else (a space-padded day, a malformed one) goes through the pattern.
  if (value.length === 26 && value[2] === '-' && value[6] === '-' && value[11] === ' ') {
    const day = digits(value, 0, 2);
    const year = digits(value, 7, 4);
    const hh = digits(value, 12, 2);
    const mm = digits(value, 15, 2);
    const ss = digits(value, 18, 2);
    const zh = digits(value, 22, 2);
    const zm = digits(value, 24, 2);
    const sign = value[21]!;
    const name = value.slice(3, 6);
    const month = MONTH_INDEX.get(name) ?? MONTH_INDEX.get(name.toLowerCase());
    if (
      value[14] === ':' &&
      value[17] === ':' &&
      value[20] === ' ' &&
      (sign === '+' || sign === '-') &&
      month !== undefined &&
      Math.min(day, year, hh, mm, ss, zh, zm) >= 0
    )
      return utcDate(year, month, day, hh, mm, ss, sign, zh, zm);
  }
  const m = DATE_TIME.exec(value);
  if (!m) return new Date(Number.NaN);
  const [, d, mon, y, hh, mm, ss, sign, zh, zm] = m;
  const month = MONTH_INDEX.get(mon!.toLowerCase()) ?? -1;
  return utcDate(
    Number(y),
    month,
    Number(d),
    Number(hh),
    Number(mm),
    Number(ss),
    sign!,
    Number(zh),
    Number(zm),
  );
}

function utcDate(
  year: number,
  month: number,
  day: number,
  hh: number,
  mm: number,
  ss: number,
  sign: string,
  zh: number,
  zm: number,
): Date {
  const utc = Date.UTC(year, month, day, hh, mm, ss);
  const offset = (zh * 60 + zm) * 60_000 * (sign === '-' ? -1 : 1);
  return new Date(utc - offset);
}
