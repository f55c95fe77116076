import type { Clock } from './clock.js';

/**
 * A bytes-per-hour budget on the programme clock (a token bucket holding at most a minute's worth):
 * take() waits until the bytes fit. One per endpoint, shared by every mailbox copying from or to it.
 * rate-limiter-flexible was considered; it reads the system clock, and this budget must follow the
 * simulated one too.
 */
export class ByteBudget {
  readonly #perMs: number;
  readonly #burst: number;
  readonly #clock: Clock;
  #tokens: number;
  #at: number;
  /** Callers wait in turn, so a large message cannot be starved by a stream of small ones. */
  #queue: Promise<void> = Promise.resolve();

  constructor(bytesPerHour: number, clock: Clock) {
    this.#perMs = bytesPerHour / 3_600_000;
    this.#burst = Math.max(1, bytesPerHour / 60);
    this.#clock = clock;
    this.#tokens = this.#burst;
    this.#at = clock.now().getTime();
  }

  /** Waits until BYTES may be sent; a message larger than the burst waits for the whole of it. */
  take(bytes: number, signal?: AbortSignal): Promise<void> {
    const turn = this.#queue.then(() => this.#wait(bytes, signal));
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  async #wait(bytes: number, signal?: AbortSignal): Promise<void> {
    // A message larger than the burst goes once the bucket is full and leaves a debt the next
    // callers pay off, so the rate holds over any hour.
    const needed = Math.min(bytes, this.#burst);
    for (this.#refill(); this.#tokens < needed; this.#refill()) {
      await this.#clock.sleep((needed - this.#tokens) / this.#perMs, signal);
    }
    this.#tokens -= bytes;
  }

  #refill(): void {
    const now = this.#clock.now().getTime();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#at) * this.#perMs);
    this.#at = now;
  }
}
