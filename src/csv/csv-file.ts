import { closeSync, openSync, writeSync } from 'node:fs';
import { TrancheError } from '../errors/tranche-error.js';
import { csvLine, type CsvValue } from './csv-line.js';

const BLOCK = 1 << 20;

/**
 * A CSV file being written: created 0600 (an export names people), lines through csvLine (so
 * formulas are neutralised), written in large blocks (an export of millions of rows is never one
 * string). Close it when done; a file that cannot be opened is a usage error naming it.
 */
export class CsvFile {
  readonly #fd: number;
  #block = '';

  constructor(readonly file: string) {
    try {
      this.#fd = openSync(file, 'w', 0o600);
    } catch (error) {
      throw new TrancheError(
        'usage',
        `cannot write ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
        { cause: error },
      );
    }
  }

  /** Adds one row. */
  row(cells: readonly CsvValue[]): void {
    this.#block += csvLine(cells);
    if (this.#block.length >= BLOCK) this.flush();
  }

  /** Writes what is buffered (rows written so far are on disk when it returns). */
  flush(): void {
    if (this.#block) writeSync(this.#fd, this.#block);
    this.#block = '';
  }

  /** Flushes and closes the file. */
  close(): void {
    try {
      this.flush();
    } finally {
      closeSync(this.#fd);
    }
  }
}

/** Writes FILE whole from ROWS (the header first), through one CsvFile. */
export function writeCsvFile(file: string, rows: Iterable<readonly CsvValue[]>): void {
  const csv = new CsvFile(file);
  try {
    for (const row of rows) csv.row(row);
  } finally {
    csv.close();
  }
}
