// A deterministic (seeded) generator of a realistic mail corpus, and a loader that appends it into a
// user of a test Dovecot instance over IMAP.
import { ImapFlow } from 'imapflow';
import type { DovecotServer, DovecotUser } from './dovecot.js';

/** One message of a corpus, with the folder it belongs in. */
export interface CorpusMessage {
  /** UTF-8 path with '/' as the hierarchy separator, e.g. 'Projects/2024/Résumé & co'. */
  folder: string;
  raw: Buffer;
  flags: string[];
  internalDate: Date;
}

/** What to generate. */
export interface CorpusOptions {
  seed: number;
  messages: number;
  /** Folders to spread messages over (default: DEFAULT_FOLDERS). */
  folders?: string[];
  /** How many multi-MB messages (default: about one per 1000). */
  bigAttachments?: number;
}

/** The default folder set: special-use folders, three-level nesting, non-ASCII names, spaces and '&'. */
export const DEFAULT_FOLDERS: readonly string[] = [
  'INBOX',
  'Sent',
  'Drafts',
  'Trash',
  'Junk',
  'Archive',
  'Archive/2019',
  'Projects',
  'Projects/2024',
  'Projects/2024/Résumé & co',
  'Projects/2024/日本語',
  'Clients',
  'Clients/Ærø',
  'Family & Friends',
  'Newsletters',
];

// Relative share of messages per folder (others get 2).
const FOLDER_WEIGHTS: Record<string, number> = {
  INBOX: 40,
  Sent: 12,
  Archive: 8,
  Trash: 5,
  Newsletters: 5,
  Drafts: 2,
  Junk: 3,
};

/** mulberry32: a tiny, fast 32-bit PRNG. */
class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
  bytes(length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    let i = 0;
    for (; i + 4 <= length; i += 4) out.writeUInt32LE(Math.floor(this.next() * 4294967296), i);
    for (; i < length; i++) out[i] = Math.floor(this.next() * 256);
    return out;
  }
  hex(length: number): string {
    let s = '';
    while (s.length < length)
      s += Math.floor(this.next() * 4294967296)
        .toString(16)
        .padStart(8, '0');
    return s.slice(0, length);
  }
}

const FIRST = [
  'Anna',
  'Björn',
  'Chloé',
  'David',
  'Émilie',
  'François',
  'Grete',
  'Hiroshi',
  'Inès',
  'Jürgen',
  'Kai',
  'Léa',
  'Marta',
  'Nils',
  'Olga',
  'Pål',
  'Rosa',
  'Søren',
  'Tomás',
  'Yuki',
];
const LAST = [
  'Andersen',
  'Brown',
  'Çelik',
  'Dubois',
  'Eriksson',
  'Fernández',
  'García',
  'Høeg',
  'Ito',
  'Jensen',
  'Kowalski',
  'Lefèvre',
  'Müller',
  'Nakamura',
  'Olsen',
  'Peña',
  'Rossi',
  'Schmidt',
  'Tanaka',
  'Weiß',
];
const DOMAINS = [
  'example.org',
  'example.com',
  'example.net',
  'mail.example.de',
  'post.example.fr',
  'example.co.jp',
];
const WORDS = (
  'the of and to in is that for it as was with be by on not he this are or his from at which but have an ' +
  'they you were her she there been one all we their has would when if so no will what out up more about ' +
  'migration mailbox server budget quarterly report meeting agenda invoice delivery schedule contract draft ' +
  'review project deadline proposal minutes customer support ticket release version update summary'
).split(' ');
const UNICODE_WORDS = [
  'café',
  'naïve',
  'Grüße',
  'señor',
  'smörgåsbord',
  'Ærøskøbing',
  '日本語',
  'メール',
  '中文',
  'Привет',
  'ελληνικά',
  'déjà',
  'über',
  '€100',
  '✓',
  '🙂',
];
const SUBJECTS = [
  'Quarterly report',
  'Re: Meeting agenda',
  'Invoice',
  'Delivery schedule',
  'Fwd: Contract draft',
  'Project update',
  'Minutes of the meeting',
  'Release notes',
  'Support ticket',
  'Budget review',
  'Lunch on Friday?',
  'Holiday photos',
];
const UNICODE_SUBJECTS = [
  'Résumé für Jürgen',
  'Grüße aus Ærøskøbing',
  '日本語のメール',
  'Café à Paris — déjà vu',
  'Привет из Москвы',
  'Smörgåsbord på fredag',
  'Budget 2024 (€) ✓',
];
const TIMEZONES = ['+0000', '+0100', '+0200', '-0500', '-0800', '+0900', '+0530', '-0300'];
const MAILERS = [
  'Mozilla Thunderbird 115.3',
  'Microsoft Outlook 16.0',
  'Apple Mail (2.3654)',
  'Roundcube Webmail/1.6.2',
  'K-9 Mail for Android',
];
const KEYWORDS = ['$Forwarded', '$Junk', '$NotJunk', 'Project_X', '$MDNSent'];
const CRLF = '\r\n';
const DAY = 86_400_000;
// Internal dates spread over 2015-01-01 .. 2025-06-30 (UTC).
const START = Date.UTC(2015, 0, 1);
const SPAN = Date.UTC(2025, 5, 30) - START;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** RFC 5322 date in the given +hhmm zone. */
function rfc5322Date(at: Date, zone: string): string {
  const sign = zone.startsWith('-') ? -1 : 1;
  const offsetMs = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5))) * 60_000;
  const local = new Date(at.getTime() + offsetMs);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return (
    `${WEEKDAYS[local.getUTCDay()]}, ${local.getUTCDate()} ${MONTHS[local.getUTCMonth()]} ${local.getUTCFullYear()} ` +
    `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())} ${zone}`
  );
}

/** RFC 2047 encoded words (B or Q, UTF-8), split so each stays under 76 characters. */
function encodeWords(text: string, encoding: 'B' | 'Q'): string {
  const chars = [...text];
  const words: string[] = [];
  for (let i = 0; i < chars.length; i += 12) {
    const bytes = Buffer.from(chars.slice(i, i + 12).join(''), 'utf8');
    if (encoding === 'B') {
      words.push(`=?UTF-8?B?${bytes.toString('base64')}?=`);
    } else {
      let q = '';
      for (const b of bytes) {
        if (b === 0x20) q += '_';
        else if ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a))
          q += String.fromCharCode(b);
        else q += '=' + b.toString(16).toUpperCase().padStart(2, '0');
      }
      words.push(`=?UTF-8?Q?${q}?=`);
    }
  }
  return words.join(CRLF + ' ');
}

/** Whether a string is plain printable ASCII. */
function isAscii(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

/** Quoted-printable encoding of UTF-8 text lines (CRLF line breaks, soft breaks at 76). */
function quotedPrintable(text: string): string {
  const out: string[] = [];
  for (const line of text.split(CRLF)) {
    let encoded = '';
    for (const b of Buffer.from(line, 'utf8')) {
      encoded +=
        (b >= 33 && b <= 126 && b !== 61) || b === 32
          ? String.fromCharCode(b)
          : '=' + b.toString(16).toUpperCase().padStart(2, '0');
    }
    if (encoded.endsWith(' ')) encoded = encoded.slice(0, -1) + '=20';
    while (encoded.length > 76) {
      let cut = 75;
      // do not split an =XX escape
      const escape = encoded.lastIndexOf('=', cut);
      if (escape > cut - 3) cut = escape;
      out.push(encoded.slice(0, cut) + '=');
      encoded = encoded.slice(cut);
    }
    out.push(encoded);
  }
  return out.join(CRLF);
}

/** Base64 in 76-character lines. */
function base64Lines(data: Buffer): string {
  const text = data.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += 76) lines.push(text.slice(i, i + 76));
  return lines.join(CRLF);
}

interface Person {
  name: string;
  address: string;
}

function person(rng: Random): Person {
  const first = rng.pick(FIRST);
  const last = rng.pick(LAST);
  const local = `${first}.${last}`
    .normalize('NFD')
    .replace(/[^A-Za-z.]/g, '')
    .toLowerCase();
  return { name: `${first} ${last}`, address: `${local}@${rng.pick(DOMAINS)}` };
}

function formatAddress(rng: Random, p: Person): string {
  if (isAscii(p.name)) return rng.chance(0.5) ? `"${p.name}" <${p.address}>` : `${p.name} <${p.address}>`;
  return `${encodeWords(p.name, rng.chance(0.5) ? 'B' : 'Q')} <${p.address}>`;
}

/** Text of roughly `size` bytes in lines of at most 76 characters; unicode words when asked. */
function paragraphs(rng: Random, size: number, unicode: boolean): string {
  const lines: string[] = [];
  let total = 0;
  let line = '';
  while (total < size) {
    const word = unicode && rng.chance(0.15) ? rng.pick(UNICODE_WORDS) : rng.pick(WORDS);
    if (line.length + word.length + 1 > 72) {
      lines.push(line);
      total += Buffer.byteLength(line) + 2;
      line = '';
      if (rng.chance(0.12)) {
        lines.push('');
        total += 2;
      }
    }
    line = line === '' ? word.charAt(0).toUpperCase() + word.slice(1) : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines.join(CRLF);
}

/** A message size target: log-uniform between 2 and 60 KB. */
function targetSize(rng: Random): number {
  return Math.round(Math.exp(Math.log(2048) + rng.next() * (Math.log(61440) - Math.log(2048))));
}

interface Built {
  raw: Buffer;
}

/** Builds one message's bytes. */
function buildMessage(rng: Random, index: number, folder: string, date: Date, big: boolean): Built {
  const from = person(rng);
  const to = person(rng);
  const sent = folder === 'Sent' || folder === 'Drafts';
  const headers: string[] = [];
  if (!sent) {
    headers.push(`Return-Path: <${from.address}>`);
    const hop = rfc5322Date(new Date(date.getTime() + rng.int(0, 30) * 1000), '+0000');
    headers.push(
      `Received: from mx${rng.int(1, 9)}.${from.address.split('@')[1]} (mx.example.net [192.0.2.${rng.int(1, 254)}])`,
      `\tby mail.example.net (Postfix) with ESMTPS id ${rng.hex(10).toUpperCase()}`,
      `\tfor <${to.address}>; ${hop}`,
    );
  }
  // The Date header is usually a little before the internal date; sometimes far off (imported mail).
  let headerDate = new Date(date.getTime() - rng.int(1, 600) * 1000);
  if (rng.chance(0.1)) headerDate = new Date(date.getTime() - rng.int(1, 2000) * DAY);
  headers.push(`Date: ${rfc5322Date(headerDate, rng.pick(TIMEZONES))}`);
  headers.push(`From: ${formatAddress(rng, from)}`);
  headers.push(`To: ${formatAddress(rng, to)}`);
  if (rng.chance(0.2))
    headers.push(`Cc: ${formatAddress(rng, person(rng))}, ${formatAddress(rng, person(rng))}`);
  const unicodeSubject = rng.chance(0.3);
  const subject = unicodeSubject ? rng.pick(UNICODE_SUBJECTS) : rng.pick(SUBJECTS);
  headers.push(
    `Subject: ${unicodeSubject ? encodeWords(subject, rng.chance(0.6) ? 'B' : 'Q') : subject} #${index}`,
  );
  // Some messages have no Message-ID at all.
  if (!rng.chance(0.05)) headers.push(`Message-ID: <${rng.hex(16)}.${index}@${from.address.split('@')[1]}>`);
  if (rng.chance(0.3)) {
    const parent = `<${rng.hex(12)}@${rng.pick(DOMAINS)}>`;
    headers.push(`In-Reply-To: ${parent}`, `References: ${parent}`);
  }
  if (rng.chance(0.6)) headers.push(`X-Mailer: ${rng.pick(MAILERS)}`);
  headers.push('MIME-Version: 1.0');

  const size = targetSize(rng);
  const style = rng.next();
  let body: string | Buffer;
  if (big || style < 0.12) {
    // multipart/mixed with a base64 attachment (multi-MB when big)
    const boundary = `----=_Part_${rng.hex(12)}`;
    const attachmentSize = big
      ? rng.int(2, 4) * 1024 * 1024 + rng.int(0, 65535)
      : Math.max(512, Math.floor(size * 0.7));
    const fileName = rng.pick(['report.pdf', 'photo.jpg', 'data.bin', 'Résumé.pdf', 'スキャン.png']);
    const encodedName = isAscii(fileName) ? `"${fileName}"` : `"${encodeWords(fileName, 'B')}"`;
    headers.push(`Content-Type: multipart/mixed; boundary="${boundary}"`);
    body = [
      'This is a multi-part message in MIME format.',
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      paragraphs(rng, Math.min(4000, size * 0.3), true),
      '',
      `--${boundary}`,
      `Content-Type: application/octet-stream; name=${encodedName}`,
      'Content-Transfer-Encoding: base64',
      `Content-Disposition: attachment; filename=${encodedName}`,
      '',
      base64Lines(rng.bytes(attachmentSize)),
      '',
      `--${boundary}--`,
      '',
    ].join(CRLF);
  } else if (style < 0.3) {
    // multipart/alternative: quoted-printable text plus HTML
    const boundary = `b1_${rng.hex(16)}`;
    const text = paragraphs(rng, size / 2, rng.chance(0.5));
    const html = `<html><body>${text
      .split(CRLF + CRLF)
      .map((p) => `<p>${p}</p>`)
      .join(CRLF)}</body></html>`;
    headers.push(`Content-Type: multipart/alternative; boundary="${boundary}"`);
    body = [
      `--${boundary}`,
      'Content-Type: text/plain; charset=UTF-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      quotedPrintable(text),
      `--${boundary}`,
      'Content-Type: text/html; charset=UTF-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      quotedPrintable(html),
      `--${boundary}--`,
      '',
    ].join(CRLF);
  } else if (style < 0.55) {
    // 8-bit UTF-8 body
    headers.push('Content-Type: text/plain; charset=utf-8; format=flowed', 'Content-Transfer-Encoding: 8bit');
    body = paragraphs(rng, size, true) + CRLF;
  } else if (style < 0.6) {
    // 8-bit ISO-8859-1 body: raw bytes that are not valid UTF-8
    headers.push('Content-Type: text/plain; charset=iso-8859-1', 'Content-Transfer-Encoding: 8bit');
    const text = paragraphs(rng, size, false).replace(/ the /g, ' thé ').replace(/ and /g, ' ünd ');
    body = Buffer.from(text + CRLF, 'latin1');
  } else {
    headers.push('Content-Type: text/plain; charset=us-ascii', 'Content-Transfer-Encoding: 7bit');
    body = paragraphs(rng, size, false) + CRLF;
  }
  const head = Buffer.from(headers.join(CRLF) + CRLF + CRLF, 'utf8');
  return { raw: Buffer.concat([head, typeof body === 'string' ? Buffer.from(body, 'utf8') : body]) };
}

/** Flags a message in the given folder plausibly has. */
function flagsFor(rng: Random, folder: string): string[] {
  const flags = new Set<string>();
  const top = folder.split('/')[0] ?? folder;
  if (top === 'Sent') flags.add('\\Seen');
  else if (top === 'Drafts') {
    flags.add('\\Draft');
    if (rng.chance(0.5)) flags.add('\\Seen');
  } else if (rng.chance(top === 'INBOX' ? 0.7 : 0.9)) flags.add('\\Seen');
  if (top !== 'Drafts' && rng.chance(0.1)) flags.add('\\Answered');
  if (rng.chance(0.05)) flags.add('\\Flagged');
  if (top !== 'Drafts' && rng.chance(0.005)) flags.add('\\Draft');
  if (rng.chance(top === 'Trash' ? 0.1 : 0.01)) flags.add('\\Deleted');
  if (rng.chance(0.03)) flags.add('$Forwarded');
  if (top === 'Junk') flags.add('$Junk');
  else if (rng.chance(0.02)) flags.add('$NotJunk');
  if (rng.chance(0.02)) flags.add('Project_X');
  if (rng.chance(0.01)) flags.add(rng.pick(KEYWORDS));
  return [...flags].sort();
}

/** Generates a deterministic corpus: same options, same bytes. */
export function generateCorpus(options: CorpusOptions): CorpusMessage[] {
  const rng = new Random(options.seed);
  const folders = options.folders ?? [...DEFAULT_FOLDERS];
  if (folders.length === 0) throw new Error('generateCorpus: no folders');
  const count = options.messages;
  const bigCount = Math.min(count, options.bigAttachments ?? Math.round(count / 1000));
  const bigAt = new Set<number>();
  for (let k = 0; k < bigCount; k++) bigAt.add(Math.floor(((k + 0.5) * count) / bigCount));
  const weights = folders.map((f) => FOLDER_WEIGHTS[f] ?? 2);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const pickFolder = (): string => {
    let r = rng.next() * totalWeight;
    for (let i = 0; i < folders.length; i++) {
      r -= weights[i] ?? 0;
      if (r < 0) return folders[i] ?? 'INBOX';
    }
    return folders[folders.length - 1] ?? 'INBOX';
  };
  const messages: CorpusMessage[] = [];
  const lastIn = new Map<string, CorpusMessage>();
  for (let i = 0; i < count; i++) {
    // Every folder gets a message first, the rest by weight.
    const folder = i < folders.length ? (folders[i] ?? 'INBOX') : pickFolder();
    const previous = lastIn.get(folder);
    let message: CorpusMessage;
    const duplicable = previous !== undefined && previous.raw.length < 1_000_000 && !bigAt.has(i);
    if (previous !== undefined && duplicable && (i % 53 === 0 || rng.chance(0.01))) {
      // An exact byte duplicate in the same folder (double delivery): same bytes and flags, later date.
      message = {
        folder,
        raw: Buffer.from(previous.raw),
        flags: [...previous.flags],
        internalDate: new Date(previous.internalDate.getTime() + rng.int(1, 120) * 1000),
      };
    } else {
      const internalDate = new Date(START + Math.floor((rng.next() * SPAN) / 1000) * 1000);
      const { raw } = buildMessage(rng, i, folder, internalDate, bigAt.has(i));
      message = { folder, raw, flags: flagsFor(rng, folder), internalDate };
    }
    lastIn.set(folder, message);
    messages.push(message);
  }
  return messages;
}

/** Connection options for a user of a test server. */
function clientFor(server: DovecotServer, user: DovecotUser): ImapFlow {
  return new ImapFlow({
    host: server.host,
    port: server.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: user.user, pass: user.password },
    logger: false,
    disableAutoIdle: true,
  });
}

/** The server path of a corpus folder, given the personal namespace's prefix and delimiter. */
export function serverFolderPath(folder: string, prefix: string, delimiter: string): string {
  const segments = folder.split('/');
  if (segments[0]?.toUpperCase() === 'INBOX') return ['INBOX', ...segments.slice(1)].join(delimiter);
  return prefix + segments.join(delimiter);
}

/** Appends the corpus into a user's mailbox over IMAP (creating folders, translating '/' to the server's delimiter and adding its namespace prefix), with flags and internal dates. */
export async function loadCorpus(
  server: DovecotServer,
  user: DovecotUser,
  corpus: CorpusMessage[],
): Promise<void> {
  const byFolder = new Map<string, CorpusMessage[]>();
  for (const message of corpus) {
    const list = byFolder.get(message.folder) ?? [];
    list.push(message);
    byFolder.set(message.folder, list);
  }

  // Folders first, parents before children, on one connection.
  const setup = clientFor(server, user);
  await setup.connect();
  let prefix = '';
  let delimiter = '/';
  try {
    prefix = setup.namespace?.prefix ?? '';
    delimiter = setup.namespace?.delimiter ?? '/';
    const existing = new Set((await setup.list()).map((m) => m.path));
    const wanted = new Set<string>();
    for (const folder of byFolder.keys()) {
      const segments = folder.split('/');
      for (let depth = 1; depth <= segments.length; depth++) wanted.add(segments.slice(0, depth).join('/'));
    }
    const ordered = [...wanted].sort(
      (a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b),
    );
    for (const folder of ordered) {
      const target = serverFolderPath(folder, prefix, delimiter);
      if (target === 'INBOX' || existing.has(target)) continue;
      await setup.mailboxCreate(target);
      existing.add(target);
    }
  } finally {
    await setup.logout();
  }

  // Appends: a few connections in parallel, each taking whole folders so UIDs follow corpus order.
  const queue = [...byFolder.entries()].sort((a, b) => b[1].length - a[1].length);
  const workers = Math.min(4, queue.length);
  let failed = false;
  const work = async (): Promise<void> => {
    const client = clientFor(server, user);
    await client.connect();
    try {
      for (let next = queue.shift(); next !== undefined && !failed; next = queue.shift()) {
        const [folder, messages] = next;
        const target = serverFolderPath(folder, prefix, delimiter);
        for (const message of messages) {
          if (failed) break;
          const result = await client.append(target, message.raw, message.flags, message.internalDate);
          if (result === false) throw new Error(`APPEND to ${target} failed`);
        }
      }
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      await client.logout().catch(() => client.close());
    }
  };
  await Promise.all(Array.from({ length: workers }, () => work()));
}
