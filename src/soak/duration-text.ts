import { TrancheError } from '../errors/tranche-error.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds from text such as '800ms', '1s', '1.5s', '10m' or '2h' (a usage error naming WHAT otherwise). */
export function parseDuration(text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(text);
  if (!m)
    throw new TrancheError('usage', `${what}: '${text}' is not a duration such as 800ms, 30s, 10m or 2h`);
  return Number(m[1]) * UNITS[m[2]!]!;
}

/** A duration in the largest unit that keeps it short: '0.4 ms', '850 ms', '12.5 s', '3.2 min'. */
export function formatMs(ms: number): string {
  if (ms < 10) return `${Number(ms.toFixed(1))} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}
