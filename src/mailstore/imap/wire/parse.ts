import type { FolderInfo, MessageMeta, Namespace, SpecialUse } from '../../mail-store.js';
import { parseImapDateTime } from './command.js';
import { decodeFolderName } from './folder-name.js';
import type { RawResponse } from './response-reader.js';
import { Literal, text, tokenize, type Token } from './tokens.js';

const SPECIAL_USES = new Set<string>([
  '\\Sent',
  '\\Drafts',
  '\\Trash',
  '\\Junk',
  '\\Archive',
  '\\All',
  '\\Flagged',
]);

/** Well-known names of special-use folders, for servers that do not advertise SPECIAL-USE. */
const GUESSED_ROLES: Record<string, SpecialUse> = {
  sent: '\\Sent',
  'sent items': '\\Sent',
  'sent messages': '\\Sent',
  'sent mail': '\\Sent',
  drafts: '\\Drafts',
  trash: '\\Trash',
  'deleted items': '\\Trash',
  'deleted messages': '\\Trash',
  bin: '\\Trash',
  junk: '\\Junk',
  'junk e-mail': '\\Junk',
  'junk email': '\\Junk',
  spam: '\\Junk',
  archive: '\\Archive',
};

/** One `* LIST` response as a folder; `guessRoles` names roles from well-known names at the top level. */
export function parseListResponse(
  response: RawResponse,
  prefix: string,
  guessRoles: boolean,
): FolderInfo | undefined {
  const tokens = tokenize(response);
  if (text(tokens[1])?.toUpperCase() !== 'LIST') return undefined;
  const attributes = Array.isArray(tokens[2]) ? tokens[2].map((t) => text(t) ?? '') : [];
  const delimiter = text(tokens[3]) ?? '';
  const wireName = text(tokens[4]);
  if (wireName === undefined) return undefined;
  const path = decodeFolderName(wireName);
  let specialUse = attributes.find((a) => SPECIAL_USES.has(a)) as SpecialUse | undefined;
  if (!specialUse && guessRoles) {
    const local = path.startsWith(prefix) ? path.slice(prefix.length) : path;
    specialUse = GUESSED_ROLES[local.toLowerCase()];
  }
  const lower = attributes.map((a) => a.toLowerCase());
  return {
    path,
    delimiter,
    specialUse,
    noSelect: lower.includes('\\noselect') || lower.includes('\\nonexistent'),
  };
}

/** What a `* STATUS` response (as LIST-STATUS returns them) says of a folder. */
export interface StatusItems {
  path: string;
  messages?: number;
  uidNext?: number;
  uidValidity?: number;
  highestModseq?: bigint;
  /** The folder's size in octets (STATUS=SIZE, RFC 8438). */
  size?: number;
  /** The largest message the folder takes (RFC 7889); null for NIL, no limit. */
  appendLimit?: number | null;
}

/**
 * A `* STATUS name (MESSAGES n UIDNEXT n ...)` response's folder path and the items it carries,
 * read as tokens: a folder named `"SIZE 99"` is a name, not an item.
 */
export function parseStatusItems(response: RawResponse): StatusItems | undefined {
  const tokens = tokenize(response);
  if (text(tokens[1])?.toUpperCase() !== 'STATUS') return undefined;
  const wireName = text(tokens[2]);
  const items = tokens[3];
  if (wireName === undefined || !Array.isArray(items)) return undefined;
  const status: StatusItems = { path: decodeFolderName(wireName) };
  for (let i = 0; i + 1 < items.length; i += 2) {
    const name = text(items[i])?.toUpperCase();
    if (name === 'APPENDLIMIT' && items[i + 1] === null) status.appendLimit = null;
    const value = text(items[i + 1]);
    if (value === undefined || !/^\d+$/.test(value)) continue;
    if (name === 'HIGHESTMODSEQ') status.highestModseq = BigInt(value);
    const n = Number(value);
    if (!Number.isSafeInteger(n)) continue;
    if (name === 'MESSAGES') status.messages = n;
    else if (name === 'UIDNEXT') status.uidNext = n;
    else if (name === 'UIDVALIDITY') status.uidValidity = n;
    else if (name === 'SIZE') status.size = n;
    else if (name === 'APPENDLIMIT') status.appendLimit = n;
  }
  return status;
}

/** The first personal namespace of a `* NAMESPACE` response. */
export function parseNamespaceResponse(response: RawResponse): Namespace | undefined {
  const tokens = tokenize(response);
  const personal = tokens[2];
  if (!Array.isArray(personal) || !Array.isArray(personal[0])) return undefined;
  const first = personal[0];
  return { prefix: decodeFolderName(text(first[0]) ?? ''), delimiter: text(first[1]) ?? '' };
}

/** The folder status from a SELECT/EXAMINE's untagged responses. */
export function parseSelect(untagged: RawResponse[]): {
  exists: number;
  uidValidity: number;
  uidNext: number;
  highestModseq: bigint | undefined;
  permanentFlags: string[] | undefined;
} {
  let exists = 0;
  let permanentFlags: string[] | undefined;
  let uidValidity = 0;
  let uidNext = 1;
  let highestModseq: bigint | undefined;
  for (const r of untagged) {
    const line = r.lines[0] ?? '';
    let m: RegExpExecArray | null;
    if ((m = /^\* (\d+) EXISTS/i.exec(line))) exists = Number(m[1]);
    else if ((m = /\[UIDVALIDITY (\d+)\]/i.exec(line))) uidValidity = Number(m[1]);
    else if ((m = /\[UIDNEXT (\d+)\]/i.exec(line))) uidNext = Number(m[1]);
    else if ((m = /\[HIGHESTMODSEQ (\d+)\]/i.exec(line))) highestModseq = BigInt(m[1]!);
    else if ((m = /\[PERMANENTFLAGS \(([^)]*)\)\]/i.exec(line)))
      permanentFlags = m[1]!.split(/\s+/).filter(Boolean);
  }
  return { exists, uidValidity, uidNext, highestModseq, permanentFlags };
}

/** What one `* n FETCH (...)` carries. */
export interface FetchedItem extends Partial<MessageMeta> {
  body: Buffer[] | undefined;
}

/** Parses a `* n FETCH (...)` response; undefined for other responses. */
export function parseFetchResponse(response: RawResponse): FetchedItem | undefined {
  const first = response.lines[0] ?? '';
  if (!/^\* \d+ FETCH /i.test(first)) return undefined;
  const tokens = tokenize(response);
  const items = tokens[3];
  if (!Array.isArray(items)) return undefined;
  const out: FetchedItem = { body: undefined };
  for (let i = 0; i + 1 < items.length; i += 2) {
    const name = (text(items[i]) ?? '').toUpperCase();
    const value: Token = items[i + 1]!;
    if (name === 'UID') out.uid = Number(text(value));
    else if (name === 'FLAGS') out.flags = Array.isArray(value) ? value.map((f) => text(f) ?? '') : [];
    else if (name === 'RFC822.SIZE') out.size = Number(text(value));
    else if (name === 'INTERNALDATE') out.internalDate = parseImapDateTime(text(value) ?? '');
    else if (name.startsWith('BODY[')) {
      out.body = value instanceof Literal ? value.chunks : [Buffer.from(text(value) ?? '', 'latin1')];
    }
  }
  return out;
}
