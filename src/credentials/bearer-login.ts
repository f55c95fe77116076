/** An OAuth2 access token as a login hands it over. */
export interface BearerToken {
  /** The token itself: never logged. */
  accessToken: string;
  /** Whether it came from a cache (a refused one is worth one fresh try) rather than straight from its source. */
  cached: boolean;
}

/** How a login gets OAuth2 access tokens for its user (token-source-spec.ts makes these; the stores use them). */
export interface BearerLogin {
  /** The SASL mechanism: XOAUTH2 (Microsoft, Google) or OAUTHBEARER (RFC 7628). */
  mechanism: 'xoauth2' | 'oauthbearer';
  /** The token source in words for messages: never a secret. */
  source: string;
  /** A live token for the user; `fresh` skips the cache (the server refused the cached one). */
  token(fresh: boolean): Promise<BearerToken>;
}
