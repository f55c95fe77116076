import { CsvError } from 'csv-parse';
import { TrancheError } from '../../errors/tranche-error.js';

/** What each of csv-parse's errors means, in our words: its own messages quote the field's value (a password, say). */
const PROBLEMS: Record<string, string> = {
  INVALID_OPENING_QUOTE:
    'a quote inside a field that does not start with one (quote the whole field and double the inner quote: "a""b")',
  CSV_INVALID_CLOSING_QUOTE: 'a closing quote followed by more text (double a quote inside a quoted field)',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'text after a closing quote',
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
  CSV_RECORD_INCONSISTENT_COLUMNS: 'a row with more or fewer fields than the header',
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'a row with more or fewer fields than the header',
  CSV_MAX_RECORD_SIZE: 'a row too large',
};

/**
 * A malformed CSV (csv-parse's errors) as a usage error naming the line and, when known, the
 * column; never its value, which may be (part of) a secret. Other errors unchanged. COLUMNS names
 * the file's columns, for errors that know only a field's position.
 */
export function fromCsvError(error: unknown, columns: readonly string[] = []): unknown {
  if (error instanceof TrancheError || !(error instanceof CsvError)) return error;
  const found = error as CsvError & { lines?: number; column?: string | number };
  const problem = PROBLEMS[error.code] ?? `malformed CSV (${error.code})`;
  const column =
    typeof found.column === 'number' ? (columns[found.column] ?? `field ${found.column + 1}`) : found.column;
  const where = column === undefined ? '' : `, column '${column}'`;
  return new TrancheError('usage', `line ${found.lines ?? '?'}${where}: ${problem}`);
}
