import type { FetchMessageObject, ImapFlow, MailboxObject } from 'imapflow';
import { TrancheError } from '../../errors/tranche-error.js';
import type {
  FolderInfo,
  FolderStatus,
  MailStore,
  MessageMeta,
  MessageWithBody,
  Namespace,
  NewMessage,
  SpecialUse,
} from '../mail-store.js';
import { classifyImapError } from './classify-error.js';
import { connectImap } from './connect.js';
import type { ImapEndpoint } from './endpoint.js';

const SPECIAL_USES = new Set<string>([
  '\\Sent',
  '\\Drafts',
  '\\Trash',
  '\\Junk',
  '\\Archive',
  '\\All',
  '\\Flagged',
]);

/** Flags the server sets itself and no client can store. */
const SESSION_FLAGS = new Set(['\\Recent']);

/** Flags without the session-only \Recent, sorted, so two lists compare with ===. */
export function storableFlags(flags: Iterable<string>): string[] {
  return [...flags].filter((f) => !SESSION_FLAGS.has(f)).sort();
}

/** A UID set in IMAP syntax, compressed into ranges: 1:5,9,12:14. */
export function uidSet(uids: number[]): string {
  const sorted = [...uids].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}:${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

function meta(message: FetchMessageObject): MessageMeta {
  return {
    uid: message.uid,
    flags: storableFlags(message.flags ?? []),
    size: message.size ?? 0,
    internalDate: new Date(message.internalDate ?? 0),
  };
}

/** A MailStore over one IMAP connection, through imapflow. */
export class ImapStore implements MailStore {
  readonly namespace: Namespace;
  readonly supportsModseq: boolean;
  readonly #client: ImapFlow;
  #open: MailboxObject | undefined;

  private constructor(client: ImapFlow) {
    this.#client = client;
    const ns = client.namespace;
    this.namespace = { prefix: ns?.prefix ?? '', delimiter: ns?.delimiter ?? '/' };
    this.supportsModseq = client.capabilities.has('CONDSTORE');
  }

  /** Connects and logs in; throws a typed error when that fails. */
  static async connect(endpoint: ImapEndpoint): Promise<ImapStore> {
    return new ImapStore(await connectImap(endpoint));
  }

  async #run<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const typed = classifyImapError(error, 'command');
      throw new TrancheError(typed.type, `${what}: ${typed.message}`, {
        cause: error,
        retryable: typed.retryable,
        retryAfterMs: typed.retryAfterMs,
      });
    }
  }

  #requireOpen(): MailboxObject {
    if (!this.#open) throw new TrancheError('internal', 'no folder is open');
    return this.#open;
  }

  async listFolders(): Promise<FolderInfo[]> {
    const list = await this.#run('LIST', () => this.#client.list());
    return list.map((entry) => ({
      path: entry.path,
      delimiter: entry.delimiter ?? '',
      specialUse:
        entry.specialUse && SPECIAL_USES.has(entry.specialUse) ? (entry.specialUse as SpecialUse) : undefined,
      noSelect: entry.flags.has('\\Noselect') || entry.flags.has('\\NonExistent'),
    }));
  }

  async createFolder(path: string): Promise<void> {
    await this.#run(`CREATE ${path}`, () => this.#client.mailboxCreate(path));
  }

  async openFolder(path: string, readOnly: boolean): Promise<FolderStatus> {
    this.#open = await this.#run(`SELECT ${path}`, () => this.#client.mailboxOpen(path, { readOnly }));
    return {
      uidValidity: Number(this.#open.uidValidity),
      uidNext: this.#open.uidNext,
      messages: this.#open.exists,
      highestModseq: this.supportsModseq ? this.#open.highestModseq : undefined,
    };
  }

  async listMessages(fromUid = 1): Promise<MessageMeta[]> {
    const folder = this.#requireOpen();
    if (folder.exists === 0) return [];
    return this.#run(`FETCH in ${folder.path}`, async () => {
      const out: MessageMeta[] = [];
      const query = { uid: true, flags: true, size: true, internalDate: true };
      for await (const message of this.#client.fetch(`${fromUid}:*`, query, { uid: true })) {
        // "N:*" always names the last message, even when its UID is below N.
        if (message.uid >= fromUid) out.push(meta(message));
      }
      return out;
    });
  }

  async listUids(): Promise<number[]> {
    const folder = this.#requireOpen();
    if (folder.exists === 0) return [];
    const uids = await this.#run(`SEARCH in ${folder.path}`, () =>
      this.#client.search({ all: true }, { uid: true }),
    );
    return uids || [];
  }

  async changedSince(modseq: bigint): Promise<{ uid: number; flags: string[] }[]> {
    const folder = this.#requireOpen();
    if (folder.exists === 0) return [];
    return this.#run(`FETCH CHANGEDSINCE in ${folder.path}`, async () => {
      const out: { uid: number; flags: string[] }[] = [];
      const query = { uid: true, flags: true };
      for await (const message of this.#client.fetch('1:*', query, { uid: true, changedSince: modseq })) {
        out.push({ uid: message.uid, flags: storableFlags(message.flags ?? []) });
      }
      return out;
    });
  }

  async *fetchMessages(uids: number[]): AsyncIterable<MessageWithBody> {
    const folder = this.#requireOpen();
    if (uids.length === 0) return;
    const wanted = new Set(uids);
    const query = { uid: true, flags: true, size: true, internalDate: true, source: true };
    // imapflow allows no other command while a FETCH streams, so collect before yielding.
    const messages = await this.#run(`FETCH bodies in ${folder.path}`, async () => {
      const out: MessageWithBody[] = [];
      for await (const message of this.#client.fetch(uidSet(uids), query, { uid: true })) {
        if (!wanted.has(message.uid) || !message.source) continue;
        out.push({ ...meta(message), raw: message.source });
      }
      return out;
    });
    yield* messages.sort((a, b) => a.uid - b.uid);
  }

  async append(path: string, message: NewMessage): Promise<number | undefined> {
    const result = await this.#run(`APPEND to ${path}`, () =>
      this.#client.append(path, message.raw, storableFlags(message.flags), message.internalDate),
    );
    if (!result) throw new TrancheError('server', `APPEND to ${path}: refused`);
    return result.uid;
  }

  async setFlags(uid: number, flags: string[]): Promise<void> {
    const folder = this.#requireOpen();
    const ok = await this.#run(`STORE in ${folder.path}`, () =>
      this.#client.messageFlagsSet(String(uid), storableFlags(flags), { uid: true, silent: true }),
    );
    if (!ok) throw new TrancheError('server', `STORE in ${folder.path}: flags of UID ${uid} not changed`);
  }

  async expunge(uids: number[]): Promise<void> {
    const folder = this.#requireOpen();
    if (uids.length === 0) return;
    const ok = await this.#run(`EXPUNGE in ${folder.path}`, () =>
      this.#client.messageDelete(uidSet(uids), { uid: true }),
    );
    if (!ok) throw new TrancheError('server', `EXPUNGE in ${folder.path}: refused`);
  }

  async close(): Promise<void> {
    try {
      await this.#client.logout();
    } catch {
      // Already gone: closing is all that was wanted.
    } finally {
      this.#client.close();
    }
  }
}
