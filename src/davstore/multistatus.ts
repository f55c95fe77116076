import { XMLParser } from 'fast-xml-parser';
import { TrancheError } from '../errors/tranche-error.js';

/** One `<response>` of a 207 Multi-Status: its href, status, and the properties that came back 200. */
export interface DavResponse {
  href: string;
  /** The response's own status (e.g. 404 for a deletion in a sync-collection), or 200 when it has propstats. */
  status: number;
  /** Properties found, by local name (namespaces dropped); values as the parser gives them. */
  props: Record<string, unknown>;
}

/** A parsed Multi-Status: the responses and, for sync-collection, the new token. */
export interface Multistatus {
  responses: DavResponse[];
  syncToken: string | undefined;
}

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => ['response', 'propstat', 'href', 'comp'].includes(name),
});

function statusCode(line: unknown): number {
  const match = /\s(\d{3})(\s|$)/.exec(text(line));
  return match ? Number(match[1]) : 200;
}

/** The text of a parsed node ('' when absent or empty). */
export function text(node: unknown): string {
  if (node === undefined || node === null) return '';
  if (typeof node === 'string') return node;
  if (typeof node === 'number' || typeof node === 'boolean') return String(node);
  if (Array.isArray(node)) return text(node[0]);
  if (typeof node === 'object' && '#text' in node) return text((node as Record<string, unknown>)['#text']);
  return '';
}

/** The hrefs inside a parsed property (e.g. current-user-principal, calendar-home-set). */
export function hrefs(node: unknown): string[] {
  if (!node || typeof node !== 'object') return [];
  const list = (node as { href?: unknown }).href;
  return Array.isArray(list) ? list.map((h) => text(h).trim()).filter((h) => h !== '') : [];
}

/** Parses a 207 body; a body that is not a multistatus is a server error. */
export function parseMultistatus(body: Buffer, what: string): Multistatus {
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new TrancheError('server', `${what}: the server's reply is not XML`, { cause: error });
  }
  const root = doc.multistatus as Record<string, unknown> | undefined;
  if (!root || typeof root !== 'object') {
    if (doc.multistatus === '') return { responses: [], syncToken: undefined };
    throw new TrancheError('server', `${what}: the server's reply is not a multistatus`);
  }
  const responses = ((root.response as Record<string, unknown>[] | undefined) ?? []).map((r) => {
    const props: Record<string, unknown> = {};
    const propstats = (r.propstat as Record<string, unknown>[] | undefined) ?? [];
    for (const ps of propstats) {
      if (statusCode(ps.status) !== 200 || !ps.prop || typeof ps.prop !== 'object') continue;
      Object.assign(props, ps.prop);
    }
    const status = r.status !== undefined ? statusCode(r.status) : propstats.length > 0 ? 200 : 200;
    return { href: text((r.href as unknown[] | undefined)?.[0]).trim(), status, props };
  });
  const token = text(root['sync-token']).trim();
  return { responses, syncToken: token === '' ? undefined : token };
}

/** Escapes text for an XML element. */
export function xmlEscape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
