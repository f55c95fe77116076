import { TrancheError } from '../errors/tranche-error.js';

/** A command-line number above 0 (a usage error otherwise, naming FLAG). */
export function positive(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new TrancheError('usage', `${flag} must be a number above 0`);
  return n;
}
