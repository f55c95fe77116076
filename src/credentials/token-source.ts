/** An OAuth2 access token as a source hands it over. */
export interface AccessToken {
  /** The token: never logged, never in an error. */
  value: string;
  /** When it stops working (ms since the epoch), when the source said or the token tells. */
  expiresAt: number | undefined;
}

/** Where a side's OAuth2 access tokens come from: a command, a token endpoint, Microsoft, Google. */
export interface TokenSource {
  /** Tells sources apart in the cache; changes when the secret does. Not for display. */
  readonly id: string;
  /** The source in words for messages and logs ("token endpoint https://…"): never a secret. */
  readonly description: string;
  /** Whether tokens are per user (a command, Google's delegation) or one for every mailbox (an application token). */
  readonly perUser: boolean;
  /** Fetches a new token for the user; a typed error naming the source and its error code when that fails. */
  fetch(user: string): Promise<AccessToken>;
}
