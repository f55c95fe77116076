import type { Kysely } from 'kysely';
import { LOCK, withExclusiveWrite } from '../state/exclusive-write.js';
import type { Database, EndpointTable } from '../state/schema.js';
import type { Clock } from './clock.js';

/**
 * Takes WANT bytes from an endpoint's shared bucket (refilled at PER_MS, holding at most BURST) at NOW;
 * returns 0 when granted, else how long to wait (programme ms) before the bytes could be there. A
 * request larger than the burst goes once the bucket is full and leaves a debt the next takers pay off,
 * so the rate holds over any hour.
 */
async function draw(
  db: Kysely<Database>,
  endpoint: string,
  want: number,
  perMs: number,
  burst: number,
  now: number,
): Promise<number> {
  return withExclusiveWrite(db, LOCK.endpoint, async (tx) => {
    const row = await tx
      .selectFrom('endpoint')
      .select(['budget_tokens', 'budget_at'])
      .where('name', '=', endpoint)
      .executeTakeFirstOrThrow();
    // A bucket last touched "later" (a simulated clock of an earlier run) refills from now on.
    const elapsed = row.budget_at ? Math.max(0, now - Date.parse(row.budget_at)) : 0;
    let tokens = Math.min(
      burst,
      (row.budget_tokens === null ? burst : Number(row.budget_tokens)) + elapsed * perMs,
    );
    const needed = Math.min(want, burst);
    const granted = tokens >= needed;
    if (granted) tokens -= want;
    await tx
      .updateTable('endpoint')
      .set({ budget_tokens: tokens, budget_at: new Date(now).toISOString() })
      .where('name', '=', endpoint)
      .execute();
    return granted ? 0 : (needed - tokens) / perMs;
  });
}

/** The most an endpoint's bucket holds: a minute's worth of its bytes per hour. */
export function budgetBurst(bytesPerHour: number): number {
  return Math.max(1, bytesPerHour / 60);
}

/**
 * An endpoint's bucket after its bytes per hour were changed (`tranche endpoint set`): without a budget
 * the bucket is forgotten; with one, what it holds (or owes) is kept up to the new burst, so the next
 * draw, at the new rate, can never let more through at once than a minute of the new rate.
 */
export function bucketAfterRateChange(
  bucket: Pick<EndpointTable, 'budget_tokens' | 'budget_at'>,
  bytesPerHour: number | null,
): Pick<EndpointTable, 'budget_tokens' | 'budget_at'> {
  if (bytesPerHour === null) return { budget_tokens: null, budget_at: null };
  const tokens = bucket.budget_tokens;
  return {
    budget_tokens: tokens === null ? null : Math.min(tokens, budgetBurst(bytesPerHour)),
    budget_at: bucket.budget_at,
  };
}

/** A budget's rate as drawing uses it. */
interface Rate {
  perMs: number;
  burst: number;
  /** What a process draws at a time. */
  chunk: number;
}

function rateOf(bytesPerHour: number): Rate {
  const burst = budgetBurst(bytesPerHour);
  return { perMs: bytesPerHour / 3_600_000, burst, chunk: burst / 10 };
}

/**
 * An endpoint's bytes-per-hour budget, shared by every worker through the state store: a token bucket
 * on the programme clock holding at most a minute's worth. Each process draws from it in chunks (a
 * tenth of the burst, or a whole large message) and spends them message by message, so the store is
 * not asked for every message. take() waits until the bytes fit. The rate can change while takes wait
 * (setRate): they draw again at once at the new rate.
 *
 * rate-limiter-flexible (PostgreSQL and SQLite backends) was considered; it reads the system clock,
 * and this budget must follow the simulated one too.
 */
export class ByteBudget {
  readonly #db: Kysely<Database>;
  readonly #endpoint: string;
  readonly #clock: Clock;
  /** Undefined once the budget is lifted: takes go at once. */
  #rate: Rate | undefined;
  /** Aborted when the rate changes, to wake the takes waiting at the old one. */
  #rateChanged = new AbortController();
  /** Bytes drawn from the shared bucket and not spent yet. */
  #reserve = 0;
  /** Callers wait in turn, so a large message cannot be starved by a stream of small ones. */
  #queue: Promise<void> = Promise.resolve();

  constructor(db: Kysely<Database>, endpoint: string, bytesPerHour: number, clock: Clock) {
    this.#db = db;
    this.#endpoint = endpoint;
    this.#rate = rateOf(bytesPerHour);
    this.#clock = clock;
  }

  /** The rate from now on, for the takes already waiting too; undefined (or 0) lifts the budget. */
  setRate(bytesPerHour: number | undefined): void {
    const rate = bytesPerHour ? rateOf(bytesPerHour) : undefined;
    if (rate?.perMs === this.#rate?.perMs) return;
    this.#rate = rate;
    this.#rateChanged.abort();
    this.#rateChanged = new AbortController();
  }

  /** Waits until BYTES may be sent. */
  take(bytes: number, signal?: AbortSignal): Promise<void> {
    const turn = this.#queue.then(() => this.#wait(bytes, signal));
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  async #wait(bytes: number, signal?: AbortSignal): Promise<void> {
    while (this.#reserve < bytes) {
      signal?.throwIfAborted();
      const rate = this.#rate;
      if (!rate) return;
      const want = Math.max(bytes - this.#reserve, rate.chunk);
      const wait = await draw(
        this.#db,
        this.#endpoint,
        want,
        rate.perMs,
        rate.burst,
        this.#clock.now().getTime(),
      );
      if (wait === 0) this.#reserve += want;
      else await this.#sleep(wait, signal);
    }
    this.#reserve -= bytes;
  }

  /** Sleeps MS of programme time, or until the rate changes. */
  async #sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    const changed = this.#rateChanged.signal;
    try {
      await this.#clock.sleep(ms, signal ? AbortSignal.any([signal, changed]) : changed);
    } catch (error) {
      if (signal?.aborted || !changed.aborted) throw error;
    }
  }
}
