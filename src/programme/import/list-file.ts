import { createReadStream } from 'node:fs';
import { parse, type Options, type Parser } from 'csv-parse';
import { TrancheError } from '../../errors/tranche-error.js';

/** A list file that cannot be read (missing, a directory, no permission): a usage error naming it. */
export function unreadableList(file: string, error: unknown): TrancheError {
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  const why = code === 'EISDIR' ? 'it is a directory' : code === 'ENOENT' ? 'no such file' : code;
  return new TrancheError('usage', `cannot read ${file}: ${why}`, { cause: error });
}

/**
 * The CSV records of a list file, streamed. An error reading the file (missing, a directory) ends
 * the parse with a usage error naming the file, instead of an unhandled 'error' event (exit 1).
 */
export function parseListFile(file: string, options: Options): Parser {
  const parser = parse(options);
  const source = createReadStream(file);
  source.on('error', (error) => parser.destroy(unreadableList(file, error)));
  return source.pipe(parser);
}
