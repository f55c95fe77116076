import { toTrancheError, type TrancheError } from '../errors/tranche-error.js';
import type { Logger } from '../log/logger.js';

/** An error as thrown, or as a library emits it (pg-boss emits plain objects): one with a message. */
function asError(error: unknown): TrancheError {
  if (error instanceof Error) return toTrancheError(error);
  const message = (error as { message?: unknown } | null)?.message;
  const text = typeof message === 'string' ? message : (JSON.stringify(error) ?? String(error));
  return toTrancheError(new Error(text, { cause: error }));
}

/**
 * Logs a repeated failure (a PostgreSQL outage seen at every poll) once per change of state: when
 * it starts, when its message changes, and when it ends (with how many times it was seen), instead
 * of once per poll, and each time with the error's message and causes (never "[object Object]").
 */
export class OutageLog {
  readonly #logger: Logger;
  readonly #what: string;
  #message: string | undefined;
  #since = 0;
  #seen = 0;

  constructor(logger: Logger, what: string) {
    this.#logger = logger;
    this.#what = what;
  }

  /** One failure: logged when it is the first, or not the same as the one before. */
  failed(error: unknown): void {
    const typed = asError(error);
    this.#seen++;
    if (typed.message === this.#message) return;
    if (this.#message === undefined) this.#since = Date.now();
    this.#message = typed.message;
    this.#logger.error({ err: typed }, `${this.#what} failed; trying again (logged once until it changes)`);
  }

  /** A success: ends a failure under way, logged once with how long and how often it failed. */
  ok(): void {
    if (this.#message === undefined) return;
    this.#logger.warn({ failures: this.#seen, ms: Date.now() - this.#since }, `${this.#what} works again`);
    this.#message = undefined;
    this.#seen = 0;
  }
}
