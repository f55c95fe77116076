/** How one kind of retry is spaced: the ceiling of the first wait, and the longest wait. */
export interface RetrySpacing {
  baseMs: number;
  maxMs: number;
}

/**
 * A server's own wait hint is followed up to an hour, whoever retries (the copy engine, the runner,
 * the notice sender); a longer one is taken as a wish, not a rule.
 */
export const MAX_HINT_MS = 3_600_000;

/** A server's wait hint, within the one cap. */
export function cappedHint(hintMs: number): number {
  return Math.min(Math.max(0, hintMs), MAX_HINT_MS);
}

/**
 * The one back-off of the project: how long to wait before retry number `attempt` (1-based). The
 * server's hint (capped) when it gave one; else exponential from baseMs, up to maxMs, with jitter
 * over the upper half so many retries of the same cause spread out.
 */
export function retryDelay(
  spacing: RetrySpacing,
  attempt: number,
  hintMs?: number,
  random: () => number = Math.random,
): number {
  if (hintMs !== undefined) return cappedHint(hintMs);
  const ceiling = Math.min(spacing.maxMs, spacing.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
