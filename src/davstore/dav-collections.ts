import { TrancheError } from '../errors/tranche-error.js';
import type { DavHttp } from './dav-http.js';
import { serverWords } from './dav-http.js';
import type { CollectionKind, CollectionProperties, DavCollection } from './dav-store.js';
import { parseMultistatus, text, xmlEscape } from './multistatus.js';

const XML = { 'Content-Type': 'application/xml; charset=utf-8' };
const NAMESPACES =
  'xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:a="urn:ietf:params:xml:ns:carddav" xmlns:i="http://apple.com/ns/ical/"';

const LIST_PROPS = `<?xml version="1.0" encoding="utf-8"?>
<d:propfind ${NAMESPACES}><d:prop>
<d:resourcetype/><d:displayname/><i:calendar-color/><c:calendar-description/><a:addressbook-description/>
<c:supported-calendar-component-set/><d:supported-report-set/>
</d:prop></d:propfind>`;

function kindOf(resourcetype: unknown): CollectionKind | undefined {
  if (!resourcetype || typeof resourcetype !== 'object') return undefined;
  if ('calendar' in resourcetype) return 'calendar';
  if ('addressbook' in resourcetype) return 'addressbook';
  return undefined;
}

function components(set: unknown): string[] {
  const comps = (set as { comp?: { '@_name'?: string }[] } | undefined)?.comp ?? [];
  return comps.map((c) => c['@_name'] ?? '').filter((n) => n !== '');
}

function optional(value: unknown): string | undefined {
  const t = text(value);
  return t === '' ? undefined : t;
}

/** The calendars and address books directly under a home (PROPFIND Depth 1). */
export async function listCollectionsIn(http: DavHttp, home: string): Promise<DavCollection[]> {
  const reply = await http.request('PROPFIND', home, { Depth: '1', ...XML }, LIST_PROPS);
  if (reply.status === 404) return [];
  if (reply.status !== 207) {
    throw new TrancheError(
      'server',
      `listing the collections of ${new URL(home).pathname}: ${serverWords(reply)}`,
    );
  }
  const out: DavCollection[] = [];
  for (const r of parseMultistatus(reply.body, 'PROPFIND').responses) {
    const kind = kindOf(r.props.resourcetype);
    if (!kind) continue;
    const url = new URL(r.href, home);
    const href = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
    out.push({
      kind,
      href,
      name:
        href
          .split('/')
          .filter((s) => s !== '')
          .pop() ?? '',
      displayName: optional(r.props.displayname),
      color: kind === 'calendar' ? optional(r.props['calendar-color']) : undefined,
      description: optional(
        r.props[kind === 'calendar' ? 'calendar-description' : 'addressbook-description'],
      ),
      components: kind === 'calendar' ? components(r.props['supported-calendar-component-set']) : [],
      supportsSync: JSON.stringify(r.props['supported-report-set'] ?? '').includes('"sync-collection"'),
    });
  }
  return out;
}

function propertyXml(kind: CollectionKind, p: CollectionProperties, withComponents: boolean): string {
  const parts: string[] = [];
  if (p.displayName !== undefined) parts.push(`<d:displayname>${xmlEscape(p.displayName)}</d:displayname>`);
  if (kind === 'calendar' && p.color !== undefined)
    parts.push(`<i:calendar-color>${xmlEscape(p.color)}</i:calendar-color>`);
  if (p.description !== undefined) {
    const tag = kind === 'calendar' ? 'c:calendar-description' : 'a:addressbook-description';
    parts.push(`<${tag}>${xmlEscape(p.description)}</${tag}>`);
  }
  if (withComponents && kind === 'calendar' && p.components.length > 0) {
    parts.push(
      `<c:supported-calendar-component-set>${p.components.map((c) => `<c:comp name="${xmlEscape(c)}"/>`).join('')}</c:supported-calendar-component-set>`,
    );
  }
  return parts.join('');
}

/** Creates a calendar (MKCALENDAR) or address book (extended MKCOL, RFC 5689) with its properties. */
export async function makeCollection(
  http: DavHttp,
  home: string,
  kind: CollectionKind,
  name: string,
  properties: CollectionProperties,
): Promise<string> {
  const url = new URL(`${name}/`, home);
  const body =
    kind === 'calendar'
      ? `<?xml version="1.0" encoding="utf-8"?><c:mkcalendar ${NAMESPACES}><d:set><d:prop>${propertyXml(kind, properties, true)}</d:prop></d:set></c:mkcalendar>`
      : `<?xml version="1.0" encoding="utf-8"?><d:mkcol ${NAMESPACES}><d:set><d:prop><d:resourcetype><d:collection/><a:addressbook/></d:resourcetype>${propertyXml(kind, properties, false)}</d:prop></d:set></d:mkcol>`;
  const reply = await http.request(kind === 'calendar' ? 'MKCALENDAR' : 'MKCOL', url, XML, body);
  if (reply.status !== 201 && reply.status !== 200) {
    throw new TrancheError('folder-mapping', `creating ${kind} ${url.pathname}: ${serverWords(reply)}`);
  }
  return url.pathname;
}

/** Sets display name, colour and description on an existing collection (PROPPATCH). */
export async function patchCollection(
  http: DavHttp,
  url: string,
  kind: CollectionKind,
  properties: CollectionProperties,
): Promise<void> {
  const props = propertyXml(kind, properties, false);
  if (props === '') return;
  const body = `<?xml version="1.0" encoding="utf-8"?><d:propertyupdate ${NAMESPACES}><d:set><d:prop>${props}</d:prop></d:set></d:propertyupdate>`;
  const reply = await http.request('PROPPATCH', url, XML, body);
  if (reply.status !== 207 && reply.status !== 200) {
    throw new TrancheError(
      'server',
      `setting the properties of ${new URL(url).pathname}: ${serverWords(reply)}`,
    );
  }
}
