/** A value of one CSV cell: text, a number, or nothing. */
export type CsvValue = string | number | null;

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break. A text that a
 * spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) is
 * prefixed with ' — every CSV tranche writes carries servers', users' and importers' words (an
 * address such as `=HYPERLINK(…)@evil.example.org` is a valid one), which must stay words.
 */
export function csvCell(value: CsvValue): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One CSV line, ending in CRLF (RFC 4180). The one way tranche writes a CSV line: exports, plans, rejects. */
export function csvLine(cells: readonly CsvValue[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
