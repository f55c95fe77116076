/** How a side logs in to a store, whatever its kind: the user, a password, and how to reach the server safely. */
export interface StoreLogin {
  /** The mailbox owner's login name. */
  user: string;
  /** The password of `admin` when set, otherwise of `user`. Never logged. */
  password: string;
  /** An admin (master) identity that logs in on the user's behalf. */
  admin: string | undefined;
  /** A composed login for servers that want one, e.g. '{user}*{admin}'; without it, SASL PLAIN with authzid. */
  loginTemplate: string | undefined;
  /** Skip certificate verification. */
  insecure: boolean;
  /** Permit a password over an unencrypted connection (loopback tests). */
  allowPlaintext: boolean;
  /** Log in with an OAuth2 access token instead of the password (then ''). */
  bearer?: BearerLogin | undefined;
}

/** An OAuth2 access token as a login hands it over. */
export interface BearerToken {
  /** The token itself: never logged. */
  accessToken: string;
  /** Whether it came from a cache (a refused one is worth one fresh try) rather than straight from its source. */
  cached: boolean;
}

/** How a login gets OAuth2 access tokens for its user (src/credentials/ makes these). */
export interface BearerLogin {
  /** The SASL mechanism: XOAUTH2 (Microsoft, Google) or OAUTHBEARER (RFC 7628). */
  mechanism: 'xoauth2' | 'oauthbearer';
  /** The token source in words for messages: never a secret. */
  source: string;
  /** A live token for the user; `fresh` skips the cache (the server refused the cached one). */
  token(fresh: boolean): Promise<BearerToken>;
}

/** A store's address (a URL whose scheme says the kind of store) and the login for it. */
export interface StoreEndpoint extends StoreLogin {
  url: string;
}
