import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { TrancheError } from '../errors/tranche-error.js';

/** A test account on the target: its login and password (never logged). */
export interface SoakAccount {
  user: string;
  password: string;
}

/**
 * Reads --accounts FILE: CSV rows 'user,password' (a first row 'user,password' is taken as a header).
 * Every error names the file and the line, never a password.
 */
export function readSoakAccounts(file: string): SoakAccount[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new TrancheError('usage', `--accounts: cannot read ${file}`);
  }
  let rows: string[][];
  try {
    const parsed: unknown = parse(text, { skip_empty_lines: true, trim: true, relax_column_count: true });
    rows = parsed as string[][];
  } catch (error) {
    throw new TrancheError(
      'usage',
      `--accounts ${file}: not CSV (${(error as Error).message.split(':')[0]})`,
    );
  }
  if (rows[0]?.[0]?.toLowerCase() === 'user' && rows[0][1]?.toLowerCase() === 'password') rows.shift();
  const accounts = rows.map((row, i) => {
    const [user, password] = row;
    if (row.length !== 2 || !user || !password)
      throw new TrancheError('usage', `--accounts ${file}: row ${i + 1} is not 'user,password'`);
    return { user, password };
  });
  if (accounts.length === 0) throw new TrancheError('usage', `--accounts ${file}: no accounts`);
  const seen = new Set<string>();
  for (const a of accounts) {
    if (seen.has(a.user)) throw new TrancheError('usage', `--accounts ${file}: ${a.user} is listed twice`);
    seen.add(a.user);
  }
  return accounts;
}
