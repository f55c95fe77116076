/** Retry timing: exponential with full jitter, capped, and a server's hint followed up to the cap. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  attempts: number;
}

/** Defaults for reconnecting after a dropped connection. */
export const RECONNECT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 30_000, attempts: 6 };

/** How long to wait before retry number `attempt` (1-based). */
export function backoffDelay(
  policy: BackoffPolicy,
  attempt: number,
  hintMs?: number,
  random: () => number = Math.random,
): number {
  if (hintMs !== undefined) return Math.min(policy.maxMs, hintMs);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

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
