import { TrancheError } from '../errors/tranche-error.js';

/** A command-line number above 0 (a usage error otherwise, naming FLAG). */
export function positive(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new TrancheError('usage', `${flag} must be a number above 0`);
  return n;
}

/** A command-line whole number above 0 (a usage error otherwise, naming FLAG). */
export function wholeNumber(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new TrancheError('usage', `${flag} must be a whole number above 0`);
  return n;
}
