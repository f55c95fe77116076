import { TrancheError, toTrancheError } from '../errors/tranche-error.js';
import type { Side } from './step-outcome.js';

/** Where a side's error came from: its DAV server or its mail server, through a token login or not. */
export interface SideErrorOrigin {
  /** The side's DAV server (not its mail server) refused or failed. */
  dav?: boolean;
  /** The side logged in with an OAuth2 token. */
  usedToken?: boolean;
}

/**
 * An error from logging in to one side, carrying the side and whether it was the side's DAV server
 * (it passes through the engine's retries as itself, so the outcome can be recorded where it belongs).
 */
export class SideError extends TrancheError {
  readonly side: Side;
  readonly dav: boolean;
  /** Whether the side logged in with an OAuth2 token. */
  readonly usedToken: boolean;
  /** The error as the login threw it (a token source's keeps its code, for the OAuth2 outcome). */
  readonly original: TrancheError;

  constructor(side: Side, error: TrancheError, origin: SideErrorOrigin = {}) {
    const dav = origin.dav ?? false;
    const label = dav ? `${side} DAV` : side;
    super(error.type, error.message.startsWith(`${label}:`) ? error.message : `${label}: ${error.message}`, {
      cause: error.cause,
      retryable: error.retryable,
      retryAfterMs: error.retryAfterMs,
    });
    this.side = side;
    this.dav = dav;
    this.usedToken = origin.usedToken ?? false;
    this.original = error;
  }
}

/** The typed error inside whatever a step threw, and the side (and its login's own error) it came from when known. */
export function unwrapSide(error: unknown): {
  error: TrancheError;
  side: Side | undefined;
  login: SideError | undefined;
} {
  const typed = toTrancheError(error);
  if (typed instanceof SideError) return { error: typed, side: typed.side, login: typed };
  if (typed.cause instanceof SideError)
    return { error: typed.cause, side: typed.cause.side, login: typed.cause };
  return { error: typed, side: undefined, login: undefined };
}
