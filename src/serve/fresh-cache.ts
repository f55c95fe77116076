/** A computed value and when its computation started. */
interface Entry<T> {
  value: T;
  at: number;
}

/**
 * Whole-programme views for a big programme (counts by state over millions of mailboxes, the whole
 * calendar, every organisation's line) take a second or more to aggregate; the dashboard shows them
 * from memory instead. Each view is computed at most once at a time (concurrent callers share the
 * computation), served as it is while younger than `maxAgeMs`, and past that served as it is while
 * a fresh one is computed in the background (stale-while-revalidate). Only the first caller of a
 * view waits. Nothing is computed unless asked for, so an idle server costs the store nothing.
 */
export class FreshCache {
  private readonly entries = new Map<string, Entry<unknown>>();
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(
    private readonly maxAgeMs: number,
    private readonly clock: () => number = Date.now,
    /** Told when a background refresh fails (the last value is still served). */
    private readonly onRefreshFailed: (key: string, error: unknown) => void = () => undefined,
  ) {}

  /** The value of KEY with the moment it was computed (ms since the epoch). */
  async get<T>(key: string, compute: () => Promise<T>): Promise<{ value: T; at: number }> {
    const entry = this.entries.get(key) as Entry<T> | undefined;
    if (entry) {
      if (this.clock() - entry.at >= this.maxAgeMs)
        // A failed background refresh keeps the last value; the next request tries again.
        this.refresh(key, compute).catch((error: unknown) => this.onRefreshFailed(key, error));
      return entry;
    }
    return this.refresh(key, compute);
  }

  private refresh<T>(key: string, compute: () => Promise<T>): Promise<Entry<T>> {
    const pending = this.running.get(key) as Promise<Entry<T>> | undefined;
    if (pending) return pending;
    const at = this.clock();
    const run = compute()
      .then((value) => {
        const entry = { value, at };
        this.entries.set(key, entry);
        return entry;
      })
      .finally(() => this.running.delete(key));
    this.running.set(key, run);
    return run;
  }
}
