import { TrancheError } from '../errors/tranche-error.js';

/** How a DAV side logs in: as the user, as an admin with rights on the user's collections, or with a bearer token. */
export type DavLogin =
  { kind: 'basic'; user: string; password: string } | { kind: 'bearer'; token: () => Promise<string> };

/** One side's CalDAV/CardDAV server, as the command line or an endpoint row gives it. */
export interface DavEndpoint {
  /** The address with `{user}` already replaced: a server base (discovered) or the user's collection home. */
  url: URL;
  /** The mailbox's user, whose collections are moved (not the admin). */
  user: string;
  login: DavLogin;
  /** Whether the login is an admin's: discovery then starts from the URL, not the admin's own principal. */
  asAdmin: boolean;
  insecure: boolean;
}

/** Parses a DAV address, replacing `{user}` with the mailbox's user, with a usage error naming the flag. */
export function parseDavUrl(text: string, user: string, flag: string): URL {
  let url: URL;
  try {
    url = new URL(text.replaceAll('{user}', encodeURIComponent(user)));
  } catch {
    throw new TrancheError('usage', `${flag}: not a URL: ${text}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TrancheError('usage', `${flag}: expected http:// or https://, got ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw new TrancheError('usage', `${flag}: put no login in the URL; use the user and password options`);
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

/** A printable form of an endpoint, for checkpoint keys and logs (no secret). */
export function describeDavEndpoint(endpoint: DavEndpoint): string {
  return `${endpoint.url.origin}${endpoint.url.pathname}#${endpoint.user}`;
}
