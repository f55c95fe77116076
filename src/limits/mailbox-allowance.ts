import { TrancheError } from '../errors/tranche-error.js';

/** A day window: the allowance is counted from its first byte for 24 hours of programme time. */
export const ALLOWANCE_WINDOW_MS = 86_400_000;

/** The copy reached the mailbox's allowance for the day window: it stops at the next message and waits. */
export class AllowanceReached extends TrancheError {
  /** When the next window opens (programme clock). */
  readonly until: Date;

  constructor(message: string, until: Date, waitMs: number) {
    // Throttled, with a hint longer than the engine waits itself: handed up to the runner unchanged.
    super('throttled', message, { retryable: true, retryAfterMs: waitMs });
    this.until = until;
  }
}

/** The allowance counter as a mailbox row keeps it. */
export interface AllowanceState {
  /** When the current window began (ISO), null before any byte. */
  from: string | null;
  bytes: number;
}

/** Whatever a step threw, the AllowanceReached inside it (the engine wraps errors with their folder). */
export function allowanceReached(error: unknown): AllowanceReached | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) if (e instanceof AllowanceReached) return e;
  return undefined;
}

/**
 * One mailbox's daily upload allowance on its target (Gmail: about 500 MB a day), counted in bytes on
 * the programme clock: a window opens with the first byte and lasts 24 hours. take() is asked before
 * each message; a message that would go over stops the copy there (a safe point: what was appended is
 * in the checkpoint, what was under way is found again by content), to go on when the next window
 * opens. One message larger than the whole allowance goes alone into a fresh window, or it would wait
 * for ever.
 */
export class MailboxAllowance {
  readonly #perDay: number;
  readonly #label: string;
  #from: number | undefined;
  #bytes: number;

  constructor(perDay: number, state: AllowanceState, label: string) {
    this.#perDay = perDay;
    this.#label = label;
    this.#from = state.from === null ? undefined : Date.parse(state.from);
    this.#bytes = state.from === null ? 0 : state.bytes;
  }

  /** Counts BYTES about to be sent at NOW, or throws AllowanceReached when they would go over. */
  take(bytes: number, now: Date): void {
    const at = now.getTime();
    if (this.#from === undefined || at >= this.#from + ALLOWANCE_WINDOW_MS) {
      this.#from = at;
      this.#bytes = 0;
    }
    if (this.#bytes + bytes > this.#perDay && this.#bytes > 0) {
      const until = new Date(this.#from + ALLOWANCE_WINDOW_MS);
      throw new AllowanceReached(
        `waiting for the daily upload allowance of ${this.#label} (${this.#perDay} bytes per mailbox per day): ${this.#bytes} bytes sent since ${new Date(this.#from).toISOString()}, the next message (${bytes} bytes) goes on after ${until.toISOString()}`,
        until,
        until.getTime() - at,
      );
    }
    this.#bytes += bytes;
  }

  /** The counter as the mailbox row keeps it. */
  state(): AllowanceState {
    return {
      from: this.#from === undefined ? null : new Date(this.#from).toISOString(),
      bytes: this.#bytes,
    };
  }
}
