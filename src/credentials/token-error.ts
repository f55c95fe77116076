import { TrancheError } from '../errors/tranche-error.js';

/** What went wrong getting a token, by what a person does about it. */
export type TokenFailure =
  /** The source refused us: wrong client id or secret, a command that failed: exit 77. */
  | 'refused'
  /** The token endpoint did not answer: exit 69, retried by the runner. */
  | 'unreachable';

/** A token source's failure: its error code kept apart, for discover to tell kinds of refusal. */
export class TokenSourceError extends TrancheError {
  /** The source's own error code ('invalid_client AADSTS7000215 (HTTP 401)', 'exit-status-3', 'ECONNREFUSED'). */
  readonly code: string;

  constructor(source: string, code: string, failure: TokenFailure) {
    super(failure === 'refused' ? 'auth' : 'unreachable', `${source}: ${code}`, {
      retryable: failure === 'unreachable',
    });
    this.code = code;
  }
}

/**
 * One line naming the token source and its error code, never the secret, the token or the key (so
 * no cause is kept: a library's error may hold the request). Unreachable is retryable (the endpoint
 * may come back); a refusal is not.
 */
export function tokenError(source: string, code: string, failure: TokenFailure): TokenSourceError {
  return new TokenSourceError(source, code, failure);
}

/** The expiry a JWT carries (its `exp`, read without checking the signature), for a token given without one. */
export function jwtExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
