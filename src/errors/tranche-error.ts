/** The closed set of failure kinds tranche reports; every error carries one. */
export type ErrorType =
  | 'usage' // bad command line or configuration
  | 'unreachable' // server did not answer, refused, DNS failed
  | 'tls' // certificate or TLS negotiation failure
  | 'auth' // credentials refused
  | 'account-disabled' // the account exists but is locked, disabled or suspended
  | 'auth-mechanism' // the server lacks the authentication mechanism asked for
  | 'authz-refused' // the admin may not act on the user's behalf
  | 'plaintext-refused' // login would send a password in clear without --allow-plaintext
  | 'connection-lost' // connection dropped or timed out mid-work
  | 'throttled' // the server asked us to slow down
  | 'server' // the server refused a command (NO/BAD) not covered above
  | 'message-refused' // the target refused one message (too large, malformed)
  | 'quota' // the target mailbox is full: no further message will fit
  | 'folder-mapping' // folders collide or can't be represented on the target
  | 'verify' // after the final pass, target and source still differ
  | 'state' // the checkpoint store is unreadable or unwritable
  | 'internal'; // a bug: anything not classified

/** Options of a TrancheError beyond its type and message. */
export interface TrancheErrorOptions {
  retryable?: boolean;
  retryAfterMs?: number;
  cause?: unknown;
}

/** The one base error: a type, whether a retry may help, an optional server hint, the cause kept. */
export class TrancheError extends Error {
  readonly type: ErrorType;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(type: ErrorType, message: string, options: TrancheErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TrancheError';
    this.type = type;
    this.retryable =
      options.retryable ?? (type === 'connection-lost' || type === 'throttled' || type === 'verify');
    this.retryAfterMs = options.retryAfterMs;
  }

  /** What a report or `--json` shows of it: the type, the words, whether a retry may help, the server's hint. */
  toJSON(): { type: ErrorType; message: string; retryable: boolean; retryAfterMs?: number } {
    return {
      type: this.type,
      message: this.message,
      retryable: this.retryable,
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
    };
  }
}

/** Converts anything thrown into a TrancheError, keeping it as the cause. */
export function toTrancheError(error: unknown, fallback: ErrorType = 'internal'): TrancheError {
  if (error instanceof TrancheError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new TrancheError(fallback, message, { cause: error });
}
