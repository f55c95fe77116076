import type { Kysely } from 'kysely';
import { LOCK, withExclusiveWrite } from '../state/exclusive-write.js';
import type { Database } from '../state/schema.js';
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

/**
 * An endpoint's bytes-per-hour budget, shared by every worker through the state store: a token bucket
 * on the programme clock holding at most a minute's worth. Each process draws from it in chunks (a
 * tenth of the burst, or a whole large message) and spends them message by message, so the store is
 * not asked for every message. take() waits until the bytes fit.
 *
 * rate-limiter-flexible (PostgreSQL and SQLite backends) was considered; it reads the system clock,
 * and this budget must follow the simulated one too.
 */
export class ByteBudget {
  readonly #db: Kysely<Database>;
  readonly #endpoint: string;
  readonly #perMs: number;
  readonly #burst: number;
  readonly #chunk: number;
  readonly #clock: Clock;
  /** Bytes drawn from the shared bucket and not spent yet. */
  #reserve = 0;
  /** Callers wait in turn, so a large message cannot be starved by a stream of small ones. */
  #queue: Promise<void> = Promise.resolve();

  constructor(db: Kysely<Database>, endpoint: string, bytesPerHour: number, clock: Clock) {
    this.#db = db;
    this.#endpoint = endpoint;
    this.#perMs = bytesPerHour / 3_600_000;
    this.#burst = Math.max(1, bytesPerHour / 60);
    this.#chunk = this.#burst / 10;
    this.#clock = clock;
  }

  /** Waits until BYTES may be sent. */
  take(bytes: number, signal?: AbortSignal): Promise<void> {
    const turn = this.#queue.then(() => this.#wait(bytes, signal));
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  async #wait(bytes: number, signal?: AbortSignal): Promise<void> {
    if (this.#reserve < bytes) {
      const want = Math.max(bytes - this.#reserve, this.#chunk);
      for (;;) {
        signal?.throwIfAborted();
        const wait = await draw(
          this.#db,
          this.#endpoint,
          want,
          this.#perMs,
          this.#burst,
          this.#clock.now().getTime(),
        );
        if (wait === 0) break;
        await this.#clock.sleep(wait, signal);
      }
      this.#reserve += want;
    }
    this.#reserve -= bytes;
  }
}
