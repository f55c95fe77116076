import { TrancheError } from '../errors/tranche-error.js';
import type { DavHttp, DavReply } from './dav-http.js';
import { serverWords } from './dav-http.js';
import type { DavItem, DavItemRef, SyncDelta, WriteOutcome } from './dav-store.js';
import { parseMultistatus, text, xmlEscape } from './multistatus.js';

const XML = { 'Content-Type': 'application/xml; charset=utf-8' };
/** Sent on every write: SabreDAV-based servers (Nextcloud, Baïkal) then send no invitation or reply. */
export const NO_SCHEDULING = { 'Schedule-Reply': 'F' } as const;
const MAX_TRUNCATED_ROUNDS = 10_000;

const ETAG_LISTING = `<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/><d:resourcetype/></d:prop></d:propfind>`;

function syncRequest(token: string | undefined): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<d:sync-collection xmlns:d="DAV:"><d:sync-token>${token ? xmlEscape(token) : ''}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`;
}

/** An item's name in its collection, from an href (absolute or not); undefined for the collection itself or something outside it. */
export function itemName(href: string, collectionUrl: string): string | undefined {
  const path = new URL(href, collectionUrl).pathname;
  const base = new URL(collectionUrl).pathname;
  const decodedPath = safeDecode(path);
  const decodedBase = safeDecode(base);
  if (!decodedPath.startsWith(decodedBase)) return undefined;
  const rest = decodedPath.slice(decodedBase.length);
  if (rest === '' || rest.includes('/')) return undefined;
  return rest;
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** The URL of an item by name (the name is kept decoded and encoded here). */
export function itemUrl(collectionUrl: string, name: string): string {
  return new URL(encodeURIComponent(name), collectionUrl).toString();
}

/** Every item's name and ETag. */
export async function listEtags(http: DavHttp, collectionUrl: string): Promise<DavItemRef[]> {
  const reply = await http.request('PROPFIND', collectionUrl, { Depth: '1', ...XML }, ETAG_LISTING);
  if (reply.status !== 207) {
    throw new TrancheError('server', `listing ${new URL(collectionUrl).pathname}: ${serverWords(reply)}`);
  }
  const out: DavItemRef[] = [];
  for (const r of parseMultistatus(reply.body, 'PROPFIND').responses) {
    const name = itemName(r.href, collectionUrl);
    const rt = r.props.resourcetype;
    if (!name || (rt && typeof rt === 'object' && 'collection' in rt)) continue;
    out.push({ name, etag: text(r.props.getetag) });
  }
  return out;
}

/** sync-collection (RFC 6578) from a token, asking again while the server truncates (507). */
export async function syncCollection(
  http: DavHttp,
  collectionUrl: string,
  token: string | undefined,
): Promise<SyncDelta> {
  const changed = new Map<string, string>();
  const deleted = new Set<string>();
  let current = token;
  for (let round = 0; round < MAX_TRUNCATED_ROUNDS; round++) {
    const reply = await http.request('REPORT', collectionUrl, { Depth: '1', ...XML }, syncRequest(current));
    if (reply.status !== 207 && current && [400, 403, 409, 412].includes(reply.status)) {
      // Radicale: 403 valid-sync-token; others 409 or 412: the token is not known (any more).
      return { kind: 'token-refused' };
    }
    if (reply.status !== 207 && !current && [400, 403, 405, 415, 501].includes(reply.status)) {
      return { kind: 'unsupported' };
    }
    if (reply.status !== 207) {
      throw new TrancheError(
        'server',
        `sync-collection on ${new URL(collectionUrl).pathname}: ${serverWords(reply)}`,
      );
    }
    const ms = parseMultistatus(reply.body, 'sync-collection');
    let truncated = false;
    for (const r of ms.responses) {
      const name = itemName(r.href, collectionUrl);
      if (!name) {
        if (r.status === 507) truncated = true;
        continue;
      }
      if (r.status === 404) {
        changed.delete(name);
        deleted.add(name);
      } else {
        deleted.delete(name);
        changed.set(name, text(r.props.getetag));
      }
    }
    if (!ms.syncToken) return current ? { kind: 'token-refused' } : { kind: 'unsupported' };
    current = ms.syncToken;
    if (!truncated) {
      return {
        kind: 'delta',
        changed: [...changed].map(([name, etag]) => ({ name, etag })),
        deleted: [...deleted],
        token: current,
      };
    }
  }
  throw new TrancheError(
    'server',
    `sync-collection on ${new URL(collectionUrl).pathname}: truncated without end`,
  );
}

/** One item's bytes, or undefined when it is gone. */
export async function getItem(
  http: DavHttp,
  collectionUrl: string,
  name: string,
): Promise<DavItem | undefined> {
  const reply = await http.request('GET', itemUrl(collectionUrl, name));
  if (reply.status === 404 || reply.status === 410) return undefined;
  if (reply.status !== 200) {
    throw new TrancheError(
      'server',
      `reading ${name} in ${new URL(collectionUrl).pathname}: ${serverWords(reply)}`,
    );
  }
  return {
    name,
    etag: reply.headers.get('etag') ?? '',
    data: reply.body,
    contentType: reply.headers.get('content-type') ?? '',
  };
}

/** How a write's reply reads: written, a precondition that did not hold, or the item refused with the server's words. */
function writeOutcome(reply: DavReply): WriteOutcome {
  if (reply.status >= 200 && reply.status < 300 && reply.status !== 207) {
    return { kind: 'written', etag: reply.headers.get('etag') ?? undefined };
  }
  const body = reply.body.toString('utf8', 0, Math.min(reply.body.length, 4000));
  const uidConflict = /no-uid-conflict/.test(body);
  // Xandikos answers a refused PUT with a 207 carrying the real status inside.
  const inner =
    reply.status === 207
      ? Number(/<(?:\w+:)?status>HTTP\/1\.1 (\d{3})/.exec(body)?.[1] ?? 500)
      : reply.status;
  if (inner === 412 && !uidConflict) return { kind: 'precondition-failed' };
  if (inner >= 500 && inner !== 507) {
    throw new TrancheError('server', `server error on write: ${serverWords(reply)}`, { retryable: true });
  }
  return { kind: 'refused', status: inner, words: serverWords({ ...reply, status: inner }), uidConflict };
}

/** PUT with a precondition: If-None-Match: * to create, If-Match: etag to replace. */
export async function putItem(
  http: DavHttp,
  collectionUrl: string,
  name: string,
  data: Buffer,
  contentType: string,
  precondition: { ifNoneMatch: '*' } | { ifMatch: string },
): Promise<WriteOutcome> {
  const headers: Record<string, string> = {
    'Content-Type': contentType,
    ...NO_SCHEDULING,
    ...('ifNoneMatch' in precondition ? { 'If-None-Match': '*' } : { 'If-Match': precondition.ifMatch }),
  };
  return writeOutcome(await http.request('PUT', itemUrl(collectionUrl, name), headers, data));
}

/** DELETE, with If-Match when an ETag is known; a 404 counts as done. */
export async function deleteItem(
  http: DavHttp,
  collectionUrl: string,
  name: string,
  etag: string | undefined,
): Promise<WriteOutcome> {
  const headers: Record<string, string> = { ...NO_SCHEDULING, ...(etag ? { 'If-Match': etag } : {}) };
  const reply = await http.request('DELETE', itemUrl(collectionUrl, name), headers);
  if (reply.status === 404) return { kind: 'written', etag: undefined };
  return writeOutcome(reply);
}
