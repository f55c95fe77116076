import { TrancheError, toTrancheError } from '../errors/tranche-error.js';
import type { Side } from './step-outcome.js';

/**
 * An error from logging in to one side, carrying the side and whether it was the side's DAV server
 * (it passes through the engine's retries as itself, so the outcome can be recorded where it belongs).
 */
export class SideError extends TrancheError {
  readonly side: Side;
  readonly dav: boolean;

  constructor(side: Side, error: TrancheError, dav = false) {
    const label = dav ? `${side} DAV` : side;
    super(error.type, error.message.startsWith(`${label}:`) ? error.message : `${label}: ${error.message}`, {
      cause: error.cause,
      retryable: error.retryable,
      retryAfterMs: error.retryAfterMs,
    });
    this.side = side;
    this.dav = dav;
  }
}

/** The typed error inside whatever a step threw, and the side (and kind of server) it came from when known. */
export function unwrapSide(error: unknown): { error: TrancheError; side: Side | undefined; dav: boolean } {
  const typed = toTrancheError(error);
  if (typed instanceof SideError) return { error: typed, side: typed.side, dav: typed.dav };
  if (typed.cause instanceof SideError)
    return { error: typed.cause, side: typed.cause.side, dav: typed.cause.dav };
  return { error: typed, side: undefined, dav: false };
}
