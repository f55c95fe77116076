import type { Selectable } from 'kysely';
import { parseDavUrl, type DavEndpoint } from '../../davstore/dav-endpoint.js';
import { TrancheError } from '../../errors/tranche-error.js';
import type { StoreLogin } from '../../mailstore/store-login.js';
import type { EndpointTable } from '../../state/schema.js';

/** Whether a host is this machine's loopback, where a password in clear stays on the machine. */
const LOOPBACK = /^(127\.|localhost$|\[::1\]$)/;

/**
 * The DAV side of a login that logs in as its mail side does: the user, an admin on the user's
 * behalf, or an OAuth2 bearer token. `{user}` in TEXT is the mailbox's user; WHERE names the flag or
 * endpoint in errors. A password over http:// to another host needs allowPlaintext, as for IMAP.
 */
export function davEndpointOf(text: string, login: StoreLogin, where: string): DavEndpoint {
  const url = parseDavUrl(text, login.user, where);
  if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname) && !login.allowPlaintext) {
    throw new TrancheError(
      'plaintext-refused',
      `${where}: http:// would send the password in clear; use https:// (or --allow-plaintext)`,
    );
  }
  const bearer = login.bearer;
  return {
    url,
    user: login.user,
    login: bearer
      ? { kind: 'bearer', token: async () => (await bearer.token(false)).accessToken }
      : { kind: 'basic', user: login.admin ?? login.user, password: login.password },
    asAdmin: login.admin !== undefined,
    insecure: login.insecure,
  };
}

/**
 * The DAV endpoint of one side of a mailbox, from the endpoint's DAV address and the side's mail
 * login (loginFor); undefined when the endpoint has no DAV address or there is no password.
 */
export function davEndpointFor(
  endpoint: Selectable<EndpointTable>,
  login: StoreLogin | undefined,
): DavEndpoint | undefined {
  if (endpoint.dav_url === null || !login) return undefined;
  return davEndpointOf(endpoint.dav_url, login, `endpoint ${endpoint.name} --dav`);
}

/** Checks a DAV address as `endpoint add|set --dav` takes it: http(s), no login in it. */
export function checkDavUrl(name: string, text: string): void {
  parseDavUrl(text, 'user', `endpoint ${name}: --dav`);
}

/** Whether a mailbox between these endpoints moves calendars and contacts: both carry a DAV address. */
export function movesCalendars(
  source: Pick<EndpointTable, 'dav_url'>,
  target: Pick<EndpointTable, 'dav_url'>,
): boolean {
  return source.dav_url !== null && target.dav_url !== null;
}
