import type { BearerLogin } from '../credentials/bearer-login.js';

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

/** A store's address (a URL whose scheme says the kind of store) and the login for it. */
export interface StoreEndpoint extends StoreLogin {
  url: string;
}
