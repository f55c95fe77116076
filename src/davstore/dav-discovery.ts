import { TrancheError } from '../errors/tranche-error.js';
import type { DavEndpoint } from './dav-endpoint.js';
import type { DavHttp } from './dav-http.js';
import type { CollectionKind } from './dav-store.js';
import { hrefs, parseMultistatus } from './multistatus.js';

const HOME_PROPS = `<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:a="urn:ietf:params:xml:ns:carddav">
<d:prop><d:current-user-principal/><c:calendar-home-set/><a:addressbook-home-set/><d:resourcetype/></d:prop>
</d:propfind>`;

interface HomeProps {
  url: string;
  principal: string | undefined;
  calendar: string | undefined;
  addressbook: string | undefined;
}

async function homeProps(http: DavHttp, url: URL | string): Promise<HomeProps | undefined> {
  const reply = await http.request(
    'PROPFIND',
    url,
    { Depth: '0', 'Content-Type': 'application/xml; charset=utf-8' },
    HOME_PROPS,
  );
  if (reply.status !== 207) return undefined;
  const first = parseMultistatus(reply.body, 'PROPFIND').responses[0];
  const props = first?.props ?? {};
  return {
    url: reply.url,
    principal: hrefs(props['current-user-principal'])[0],
    calendar: hrefs(props['calendar-home-set'])[0],
    addressbook: hrefs(props['addressbook-home-set'])[0],
  };
}

function absolute(href: string, base: string): string {
  return new URL(href, base).toString();
}

/**
 * The user's calendar and address book homes (RFC 6764): from the server's root through
 * `.well-known` and `current-user-principal`, or from the given principal or home. As an admin,
 * the admin's own principal is not the user's: the URL must name the user's (with `{user}`).
 */
export async function discoverHomes(
  http: DavHttp,
  endpoint: DavEndpoint,
): Promise<Record<CollectionKind, string | undefined>> {
  const atRoot = endpoint.url.pathname === '/';
  if (atRoot && endpoint.asAdmin) {
    throw new TrancheError(
      'usage',
      `${endpoint.url.origin}: as an admin, give the user's collection home, e.g. ${endpoint.url.origin}/{user}/`,
    );
  }
  let found = atRoot ? await homeProps(http, new URL('/.well-known/caldav', endpoint.url)) : undefined;
  found ??= await homeProps(http, endpoint.url);
  if (!found) {
    throw new TrancheError(
      'server',
      `${endpoint.url.origin}${endpoint.url.pathname}: not a CalDAV/CardDAV address (PROPFIND refused)`,
    );
  }
  if (!found.calendar && !found.addressbook && found.principal && !endpoint.asAdmin) {
    const principal = await homeProps(http, absolute(found.principal, found.url));
    if (principal) found = principal;
  }
  if (!found.calendar && !found.addressbook) {
    if (atRoot) {
      throw new TrancheError(
        'server',
        `${endpoint.url.origin}: no calendar or address book home found for ${endpoint.user}`,
      );
    }
    // No home set advertised: the address is the home itself.
    return { calendar: found.url, addressbook: found.url };
  }
  return {
    calendar: found.calendar ? absolute(found.calendar, found.url) : undefined,
    addressbook: found.addressbook ? absolute(found.addressbook, found.url) : undefined,
  };
}
