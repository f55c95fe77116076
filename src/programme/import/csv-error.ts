import { TrancheError } from '../../errors/tranche-error.js';

/** A malformed CSV (csv-parse's CSV_* errors) as a usage error naming the line; other errors unchanged. */
export function fromCsvError(error: unknown): unknown {
  if (error instanceof TrancheError) return error;
  const csv = error as { code?: string; lines?: number; message?: string };
  if (csv.code?.startsWith('CSV_'))
    return new TrancheError('usage', `line ${csv.lines ?? '?'}: ${csv.message ?? csv.code}`);
  return error;
}
