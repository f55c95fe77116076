import { sleep } from '../copy/backoff.js';

/**
 * The programme's clock: when passes are due and how long a byte budget waits. The system clock in
 * production; a simulated one lets a three-week calendar run in minutes (tests, the demo).
 */
export interface Clock {
  /** The programme time now. */
  now(): Date;
  /** Waits MS of programme time, unless the signal aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Called when nothing is running and the next work is due at UNTIL: the system clock waits;
   * a simulated clock jumps there at once (there is nothing to watch in between).
   */
  idleUntil(until: Date, signal?: AbortSignal): Promise<void>;
}

/** Real time. Idle waits are capped so that new plans and signals are noticed. */
export class SystemClock implements Clock {
  readonly #maxIdleMs: number;

  constructor(maxIdleMs = 60_000) {
    this.#maxIdleMs = maxIdleMs;
  }

  now(): Date {
    return new Date();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleep(Math.max(0, ms), signal);
  }

  idleUntil(until: Date, signal?: AbortSignal): Promise<void> {
    return this.sleep(Math.min(this.#maxIdleMs, until.getTime() - Date.now()), signal);
  }
}

/**
 * Programme time that starts at START and runs SPEED times faster than real time, and skips idle
 * stretches: a night with nothing due passes in an instant.
 */
export class SimulatedClock implements Clock {
  readonly #startMs: number;
  readonly #speed: number;
  readonly #realStart = performance.now();
  #skippedMs = 0;

  constructor(start: Date, speed: number) {
    this.#startMs = start.getTime();
    this.#speed = speed;
  }

  now(): Date {
    return new Date(this.#startMs + (performance.now() - this.#realStart) * this.#speed + this.#skippedMs);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleep(Math.max(0, ms / this.#speed), signal);
  }

  async idleUntil(until: Date, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const ahead = until.getTime() - this.now().getTime();
    if (ahead > 0) this.#skippedMs += ahead;
    // Yield to timers and I/O once per jump. On SQLite every query resolves inside the microtask
    // queue, so a runner going from jump to jump without this never let a timer fire: the lease
    // heartbeats, the step-stop poll, people's commands and the stop signal all waited forever.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
