import { createHash } from 'node:crypto';
import ICAL from 'ical.js';

/** What the copy needs to know of an item's content: its UID and a hash that survives server rewrites. */
export interface ItemContent {
  uid: string | undefined;
  /** SHA-256 (hex) of the item's canonical form, or of its bytes with line ends unified when it does not parse. */
  hash: string;
  /** Whether it parsed as iCalendar/vCard. */
  parsed: boolean;
}

type JCalProperty = [string, Record<string, unknown>, string, ...unknown[]];
type JCalComponent = [string, JCalProperty[], JCalComponent[]];

// What servers add or rewrite on their own: the producer, and time zone definitions (Radicale adds
// a VTIMEZONE for every TZID; the TZID reference on the times is what carries the meaning).
const IGNORED_PROPERTIES = new Set(['prodid']);
const IGNORED_COMPONENTS = new Set(['vtimezone']);

function canonicalParams(params: Record<string, unknown>): [string, string][] {
  return Object.entries(params)
    .map(([k, v]): [string, string] => [
      k.toLowerCase(),
      (Array.isArray(v) ? v.map(String) : [String(v)]).join(',').toLowerCase(),
    ])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** A component as a sorted, order-free string: properties sorted, value types dropped, sub-components sorted. */
function canonical(component: JCalComponent): string {
  const [name, properties, components] = component;
  const props = properties
    .filter((p) => !IGNORED_PROPERTIES.has(p[0]))
    .map((p) => JSON.stringify([p[0], canonicalParams(p[1]), p.slice(3).map(canonicalValue)]))
    .sort();
  const subs = components
    .filter((c) => !IGNORED_COMPONENTS.has(c[0]))
    .map(canonical)
    .sort();
  return JSON.stringify([name, props, subs]);
}

function canonicalValue(value: unknown): unknown {
  // Binary and long text values are compared without folding or base64 line breaks.
  if (typeof value === 'string') return value.replace(/\r\n|\r|\n/g, '\n');
  // A recurrence rule's parts come in any order (Xandikos writes COUNT before BYDAY).
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  return value;
}

function uidOf(root: JCalComponent): string | undefined {
  const own = root[1].find((p) => p[0] === 'uid');
  if (own) return String(own[3]);
  for (const c of root[2]) {
    if (IGNORED_COMPONENTS.has(c[0])) continue;
    const uid = c[1].find((p) => p[0] === 'uid');
    if (uid) return String(uid[3]);
  }
  return undefined;
}

/** The UID and content hash of an iCalendar or vCard item. */
export function itemContent(data: Buffer): ItemContent {
  const text = data.toString('utf8');
  try {
    const parsed = ICAL.parse(text) as JCalComponent | JCalComponent[];
    const roots: JCalComponent[] = Array.isArray(parsed[0])
      ? (parsed as JCalComponent[])
      : [parsed as JCalComponent];
    const hash = createHash('sha256').update(roots.map(canonical).sort().join('\n')).digest('hex');
    return { uid: roots[0] ? uidOf(roots[0]) : undefined, hash, parsed: true };
  } catch {
    const hash = createHash('sha256')
      .update(text.replace(/\r\n|\r/g, '\n').trimEnd())
      .digest('hex');
    return { uid: /^UID:(.*)$/m.exec(text)?.[1]?.trim(), hash, parsed: false };
  }
}
