import { retryDelay, type RetrySpacing } from '../errors/retry-delay.js';
import type { TrancheError } from '../errors/tranche-error.js';

/**
 * How the copy engine retries in process: spaced by the project's one back-off (errors/retry-delay.ts),
 * a number of attempts, and `maxMs` also the longest server hint it waits out itself: a longer hint is
 * handed up to whoever scheduled the copy (the runner waits it on its clock, freeing the worker).
 */
export interface BackoffPolicy extends RetrySpacing {
  attempts: number;
}

/** Defaults for reconnecting after a dropped connection. */
export const RECONNECT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 30_000, attempts: 6 };

/** Waits, unless the signal aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(done, ms);
    function done(): void {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort(): void {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Whether the engine retries `error` itself after attempt number `attempt`, and after how long:
 * undefined hands the error up unchanged (not retryable, attempts used up, or a server hint longer
 * than the engine waits in process).
 */
export function reconnectDelay(
  policy: BackoffPolicy,
  attempt: number,
  error: TrancheError,
  signal?: AbortSignal,
): number | undefined {
  if (!error.retryable || attempt >= policy.attempts || signal?.aborted) return undefined;
  if (error.retryAfterMs !== undefined && error.retryAfterMs > policy.maxMs) return undefined;
  return retryDelay(policy, attempt, error.retryAfterMs);
}
