// An independent checker for calendars and contacts: it reads a DAV account over plain HTTP with
// its own line-level iCalendar/vCard reading (no tranche code, no ical.js), so a bug in the copy
// cannot hide itself in the check. Content is compared, not bytes: servers rewrite what they store.
import { httpRequest } from './http-request.js';

/** One collection as the checker sees it. */
export interface CollectionSnapshot {
  name: string;
  kind: 'calendar' | 'addressbook';
  displayName: string;
  color: string;
  description: string;
  /** UID (or resource name) → canonical content; a UID seen twice is listed twice. */
  items: Map<string, string[]>;
}

/** Where to read: the homes holding the collections, and the Authorization header. */
export interface SnapshotSource {
  homes: string[];
  authorization: string;
}

function tagText(xml: string, tag: string): string {
  const m = new RegExp(`<(?:[\\w-]+:)?${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w-]+:)?${tag}>`).exec(xml);
  return (m?.[1] ?? '').trim().replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function responses(xml: string): string[] {
  return xml.split(/<(?:[\w-]+:)?response[\s>]/).slice(1);
}

async function propfind(url: string, authorization: string, body: string): Promise<string> {
  const r = await httpRequest(
    'PROPFIND',
    url,
    { Authorization: authorization, Depth: '1', 'Content-Type': 'application/xml' },
    body,
  );
  const text = r.text;
  if (r.status !== 207) throw new Error(`checker: PROPFIND ${url}: ${r.status}`);
  return text;
}

/** Unfolds content lines and reads them into a component tree, dropping VTIMEZONE and PRODID. */
function canonicalItem(data: string): { uid: string; canonical: string } {
  const lines = data
    .replace(/\r\n[ \t]|\n[ \t]/g, '')
    .split(/\r?\n/)
    .filter((l) => l !== '');
  interface Node {
    name: string;
    props: string[];
    children: string[];
  }
  const stack: Node[] = [{ name: 'ROOT', props: [], children: [] }];
  let uid = '';
  for (const line of lines) {
    const colon = findValueColon(line);
    const head = line.slice(0, colon);
    const value = line.slice(colon + 1);
    const [rawName, ...params] = head.split(';');
    const name = (rawName ?? '').toUpperCase();
    if (name === 'BEGIN') {
      stack.push({ name: value.toUpperCase(), props: [], children: [] });
      continue;
    }
    if (name === 'END') {
      const done = stack.pop() as Node;
      const text = `${done.name}{${[...done.props].sort().join('|')}}[${[...done.children].sort().join(',')}]`;
      if (done.name !== 'VTIMEZONE') stack[stack.length - 1]?.children.push(text);
      continue;
    }
    if (name === 'PRODID') continue;
    if (name === 'UID' && !uid) uid = value;
    const normalParams = params
      .map((p) => p.toUpperCase().replace(/"/g, ''))
      .sort()
      .join(';');
    // Servers reorder the parts of a recurrence rule.
    const normalValue =
      name === 'RRULE' || name === 'EXRULE'
        ? value.split(';').sort().join(';')
        : value.replace(/\\,/g, ',').replace(/\\;/g, ';');
    stack[stack.length - 1]?.props.push(`${name};${normalParams}:${normalValue}`);
  }
  return { uid, canonical: stack[0]?.children.sort().join('\n') ?? '' };
}

/** The colon that ends the property name and parameters (not one inside a quoted parameter). */
function findValueColon(line: string): number {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '"') quoted = !quoted;
    else if (line[i] === ':' && !quoted) return i;
  }
  return line.length;
}

/** Reads every calendar and address book under the homes, every item's content. */
export async function snapshotDav(source: SnapshotSource): Promise<Map<string, CollectionSnapshot>> {
  const out = new Map<string, CollectionSnapshot>();
  const listing =
    '<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:a="urn:ietf:params:xml:ns:carddav" xmlns:i="http://apple.com/ns/ical/"><d:prop><d:resourcetype/><d:displayname/><i:calendar-color/><c:calendar-description/><a:addressbook-description/><d:getetag/></d:prop></d:propfind>';
  for (const home of source.homes) {
    for (const r of responses(await propfind(home, source.authorization, listing))) {
      const type = tagText(r, 'resourcetype');
      const kind =
        /calendar/.test(type) && !/schedule/.test(type)
          ? 'calendar'
          : /addressbook/.test(type)
            ? 'addressbook'
            : undefined;
      if (!kind) continue;
      const href = new URL(tagText(r, 'href'), home).toString();
      const name = decodeURIComponent(href.replace(/\/$/, '').split('/').pop() ?? '');
      const snap: CollectionSnapshot = {
        name,
        kind,
        displayName: tagText(r, 'displayname'),
        color: tagText(r, 'calendar-color'),
        description: tagText(r, kind === 'calendar' ? 'calendar-description' : 'addressbook-description'),
        items: new Map(),
      };
      for (const item of responses(await propfind(href, source.authorization, listing))) {
        const itemHref = new URL(tagText(item, 'href'), href).toString();
        if (itemHref === href || /<(?:[\w-]+:)?collection\s*\/>/.test(tagText(item, 'resourcetype')))
          continue;
        const g = await httpRequest('GET', itemHref, { Authorization: source.authorization });
        const data = g.text;
        if (g.status !== 200) throw new Error(`checker: GET ${itemHref}: ${g.status}`);
        const { uid, canonical } = canonicalItem(data);
        const key = uid || itemHref.split('/').pop() || '';
        snap.items.set(key, [...(snap.items.get(key) ?? []), canonical]);
      }
      out.set(`${kind}:${name}`, snap);
    }
  }
  return out;
}

/** The differences between two snapshots, collection by collection (only the source's collections, unless `all`). */
export function diffDavSnapshots(
  source: Map<string, CollectionSnapshot>,
  target: Map<string, CollectionSnapshot>,
  ignore: { uids?: string[]; properties?: ('displayName' | 'color' | 'description')[] } = {},
): string[] {
  const diffs: string[] = [];
  const ignored = new Set(ignore.uids ?? []);
  for (const [key, s] of source) {
    const t = target.get(key);
    if (!t) {
      diffs.push(`${key}: missing on the target`);
      continue;
    }
    for (const p of ['displayName', 'color', 'description'] as const) {
      if (s[p] !== t[p] && !ignore.properties?.includes(p)) diffs.push(`${key}: ${p} '${s[p]}' vs '${t[p]}'`);
    }
    for (const [uid, contents] of s.items) {
      if (ignored.has(uid)) continue;
      const there = t.items.get(uid);
      if (!there) diffs.push(`${key}: ${uid} missing`);
      else if (there.length !== contents.length)
        diffs.push(`${key}: ${uid} ${contents.length} vs ${there.length} copies`);
      else if ([...contents].sort().join('\0') !== [...there].sort().join('\0'))
        diffs.push(`${key}: ${uid} differs`);
    }
    for (const uid of t.items.keys())
      if (!s.items.has(uid) && !ignored.has(uid)) diffs.push(`${key}: ${uid} only on the target`);
  }
  return diffs;
}
