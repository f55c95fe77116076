// An independent checker for tests: reads every message of every folder of a user straight through
// imapflow (none of tranche's own code), and compares two such snapshots.
import { createHash } from 'node:crypto';
import { ImapFlow } from 'imapflow';

/** One message in a snapshot. */
export interface SnapshotMessage {
  sha256: string;
  /** Sorted, without \Recent. */
  flags: string[];
  internalDate: string;
}

/** Folder path (UTF-8, as the server lists it) to its messages, sorted by sha256, then flags, then date. */
export type Snapshot = Map<string, SnapshotMessage[]>;

/** Where to connect: an imap:// URL or host and port. */
export type SnapshotServer = { url: string } | { host: string; port: number };

/** Whom to log in as: a user, or an admin/master user acting as authzid (SASL PLAIN). */
export type SnapshotLogin =
  { user: string; password: string } | { user: string; authzid: string; password: string };

/** Snapshot options. */
export interface SnapshotOptions {
  /** Folder paths (as listed) to leave out. */
  excludeFolders?: string[];
}

function compareMessages(a: SnapshotMessage, b: SnapshotMessage): number {
  return (
    compareStrings(a.sha256, b.sha256) ||
    compareStrings(a.flags.join(' '), b.flags.join(' ')) ||
    compareStrings(a.internalDate, b.internalDate)
  );
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function endpoint(server: SnapshotServer): { host: string; port: number } {
  if ('url' in server) {
    const url = new URL(server.url);
    return { host: url.hostname, port: url.port === '' ? 143 : Number(url.port) };
  }
  return { host: server.host, port: server.port };
}

/** Reads every folder and message of a user, independently of tranche's own code. */
export async function snapshotMailbox(
  server: SnapshotServer,
  login: SnapshotLogin,
  options: SnapshotOptions = {},
): Promise<Snapshot> {
  const { host, port } = endpoint(server);
  const client = new ImapFlow({
    host,
    port,
    secure: false,
    doSTARTTLS: false,
    auth: {
      user: login.user,
      pass: login.password,
      ...('authzid' in login ? { authzid: login.authzid } : {}),
    },
    logger: false,
    disableAutoIdle: true,
  });
  await client.connect();
  const snapshot: Snapshot = new Map();
  try {
    const exclude = new Set(options.excludeFolders ?? []);
    const folders = await client.list();
    for (const folder of folders) {
      const flags = [...folder.flags].map((f) => f.toLowerCase());
      if (flags.includes('\\noselect') || flags.includes('\\nonexistent')) continue;
      if (exclude.has(folder.path)) continue;
      const messages: SnapshotMessage[] = [];
      const mailbox = await client.mailboxOpen(folder.path, { readOnly: true });
      if (mailbox.exists > 0) {
        for await (const message of client.fetch('1:*', {
          uid: true,
          source: true,
          flags: true,
          internalDate: true,
        })) {
          if (message.source === undefined)
            throw new Error(`no source for UID ${message.uid} in ${folder.path}`);
          const date = message.internalDate;
          messages.push({
            sha256: createHash('sha256').update(message.source).digest('hex'),
            flags: [...(message.flags ?? [])].filter((f) => f.toLowerCase() !== '\\recent').sort(),
            internalDate: date instanceof Date ? date.toISOString() : String(date),
          });
        }
      }
      await client.mailboxClose();
      if (messages.length !== mailbox.exists) {
        throw new Error(`${folder.path}: fetched ${messages.length} of ${mailbox.exists} messages`);
      }
      messages.sort(compareMessages);
      snapshot.set(folder.path, messages);
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
  return snapshot;
}

function describe(m: SnapshotMessage): string {
  return `${m.sha256.slice(0, 12)} [${m.flags.join(' ')}] ${m.internalDate}`;
}

const MAX_LINES_PER_FOLDER = 25;

/** Differences between two folders' message lists, as human-readable lines. */
function diffFolder(folder: string, source: SnapshotMessage[], target: SnapshotMessage[]): string[] {
  const lines: string[] = [];
  const group = (list: SnapshotMessage[]): Map<string, SnapshotMessage[]> => {
    const map = new Map<string, SnapshotMessage[]>();
    for (const m of list) map.set(m.sha256, [...(map.get(m.sha256) ?? []), m]);
    return map;
  };
  const bySource = group(source);
  const byTarget = group(target);
  const hashes = [...new Set([...bySource.keys(), ...byTarget.keys()])].sort();
  for (const hash of hashes) {
    const left = [...(bySource.get(hash) ?? [])];
    const right = [...(byTarget.get(hash) ?? [])];
    // Exact matches (bytes, flags and date) first.
    for (let i = left.length - 1; i >= 0; i--) {
      const l = left[i];
      if (l === undefined) continue;
      const j = right.findIndex((r) => compareMessages(l, r) === 0);
      if (j >= 0) {
        left.splice(i, 1);
        right.splice(j, 1);
      }
    }
    // Same bytes left on both sides: report what differs.
    while (left.length > 0 && right.length > 0) {
      const l = left.shift();
      const r = right.shift();
      if (l === undefined || r === undefined) break;
      const what: string[] = [];
      if (l.flags.join(' ') !== r.flags.join(' ')) {
        what.push(`flags [${l.flags.join(' ')}] in source, [${r.flags.join(' ')}] in target`);
      }
      if (l.internalDate !== r.internalDate) {
        what.push(`internal date ${l.internalDate} in source, ${r.internalDate} in target`);
      }
      lines.push(`${folder}: message ${hash.slice(0, 12)}: ${what.join('; ')}`);
    }
    for (const l of left) lines.push(`${folder}: message missing in target: ${describe(l)}`);
    for (const r of right) lines.push(`${folder}: message only in target: ${describe(r)}`);
  }
  if (lines.length > MAX_LINES_PER_FOLDER) {
    const more = lines.length - MAX_LINES_PER_FOLDER;
    lines.length = MAX_LINES_PER_FOLDER;
    lines.push(`${folder}: ... and ${more} more differences`);
  }
  if (lines.length > 0 && source.length !== target.length) {
    lines.unshift(`${folder}: ${source.length} messages in source, ${target.length} in target`);
  }
  return lines;
}

/** Differences between source and target snapshots, after mapping source folder names with mapFolder (e.g. delimiter/prefix change); empty means identical. Folders only in the target are reported when they hold messages (servers auto-create empty special-use folders). */
export function diffSnapshots(
  source: Snapshot,
  target: Snapshot,
  mapFolder: (sourceFolder: string) => string = (f) => f,
): string[] {
  const mapped: Snapshot = new Map();
  for (const [folder, messages] of source) {
    const name = mapFolder(folder);
    mapped.set(name, [...(mapped.get(name) ?? []), ...messages].sort(compareMessages));
  }
  const differences: string[] = [];
  const folders = [...new Set([...mapped.keys(), ...target.keys()])].sort();
  for (const folder of folders) {
    const left = mapped.get(folder);
    const right = target.get(folder);
    if (right === undefined) {
      differences.push(`${folder}: folder missing in target (${left?.length ?? 0} messages in source)`);
      continue;
    }
    if (left === undefined) {
      if (right.length > 0)
        differences.push(`${folder}: folder only in target, with ${right.length} messages`);
      continue;
    }
    differences.push(...diffFolder(folder, left, right));
  }
  return differences;
}
