import { TrancheError, toTrancheError, type ErrorType } from '../../errors/tranche-error.js';
import type {
  AppendBatch,
  FolderCounts,
  FolderInfo,
  FolderSize,
  FolderStatus,
  MailStore,
  MessageMeta,
  MessageWithBody,
  Namespace,
  NewMessage,
  PendingAppend,
  UidRange,
} from '../mail-store.js';
import { bodyLength } from '../message-body.js';
import type { ImapEndpoint } from './endpoint.js';
import { astring, imapDateTime, type CommandPart } from './wire/command.js';
import { encodeFolderName } from './wire/folder-name.js';
import { openAndLogin } from './wire/login.js';
import { appendArguments, MultiAppend } from './wire/multi-append.js';
import {
  parseFetchResponse,
  parseListResponse,
  parseStatusItems,
  type StatusItems,
  parseNamespaceResponse,
  parseSelect,
  type FetchedItem,
} from './wire/parse.js';
import { readSearchResponse } from './wire/search.js';
import { completionError, type Completion, type WireConnection } from './wire/wire-connection.js';

/** Flags the server sets itself and no client can store. */
const SESSION_FLAGS = new Set(['\\Recent']);

/** Flags without the session-only \Recent, sorted, so two lists compare as strings. */
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

/** An error of one command, named by what was going on, its type, retry flag and server hint kept. */
function during(what: string, error: unknown, fallback: ErrorType = 'internal'): TrancheError {
  const typed = toTrancheError(error, fallback);
  return new TrancheError(typed.type, `${what}: ${typed.message}`, {
    cause: error,
    retryable: typed.retryable,
    retryAfterMs: typed.retryAfterMs,
  });
}

/** `STATUS <folder> (<items>)`. */
function statusCommand(path: string, items: string): CommandPart[] {
  return ['STATUS ', astring(encodeFolderName(path)), ` (${items})`];
}

/** A STATUS answer's items without its folder name. */
function countsOf({ messages, uidNext, uidValidity, highestModseq }: StatusItems): FolderCounts {
  return { messages, uidNext, uidValidity, highestModseq };
}

/** A STATUS command's answer for `path`, read from its untagged responses. */
function statusAnswer(completion: Completion, path: string): StatusItems | undefined {
  const statuses = completion.untagged.map(parseStatusItems).filter((s) => s !== undefined);
  // The server may spell the name its own way (inbox, INBOX): the only answer is this folder's.
  return statuses.find((s) => s.path === path) ?? (statuses.length === 1 ? statuses[0] : undefined);
}

/**
 * STATUS commands folderCounts and folderSizes keep in flight on one connection: a list of a few
 * folders costs one round trip, and one of thousands (a Gmail account's labels) does not sit all at
 * once in the server's input.
 */
const STATUS_IN_FLIGHT = 64;

/** Bytes of fetched messages waiting for the consumer before the socket is paused. */
const FETCH_WINDOW_BYTES = 8 * 1024 * 1024;

function meta(item: FetchedItem): MessageMeta {
  return {
    uid: item.uid ?? 0,
    flags: storableFlags(item.flags ?? []),
    size: item.size ?? (item.body ? bodyLength(item.body) : 0),
    internalDate: item.internalDate ?? new Date(0),
  };
}

function flagList(flags: string[]): string {
  return `(${storableFlags(flags).join(' ')})`;
}

/** "APPEND folder" */
function appendHead(path: string): CommandPart[] {
  return ['APPEND ', astring(encodeFolderName(path))];
}

/** A message's flag list and internal date as an APPEND writes them. */
function describeAppend(message: NewMessage): { flags: string; date: string } {
  return { flags: flagList(message.flags), date: imapDateTime(message.internalDate) };
}

/** A MailStore over one pipelined IMAP connection of tranche's own (see docs/ARCHITECTURE.md). */
export class WireStore implements MailStore {
  readonly namespace: Namespace;
  readonly supportsModseq: boolean;
  readonly appendUids: boolean;
  readonly #connection: WireConnection;
  #open: { path: string; exists: number } | undefined;

  private constructor(connection: WireConnection, namespace: Namespace) {
    this.#connection = connection;
    this.namespace = namespace;
    this.supportsModseq = connection.capabilities.has('CONDSTORE');
    this.appendUids = connection.capabilities.has('UIDPLUS');
  }

  /** Connects, logs in and reads the personal namespace; throws a typed error when that fails. */
  static async connect(endpoint: ImapEndpoint): Promise<WireStore> {
    const connection = await openAndLogin(endpoint);
    try {
      let namespace: Namespace | undefined;
      if (connection.capabilities.has('NAMESPACE')) {
        const done = await connection.run(['NAMESPACE']);
        namespace = done.untagged.map(parseNamespaceResponse).find((n) => n !== undefined);
      }
      if (!namespace) {
        const done = await connection.run(['LIST "" ""']);
        const root = done.untagged.map((r) => parseListResponse(r, '', false)).find((f) => f !== undefined);
        namespace = { prefix: '', delimiter: root?.delimiter ?? '/' };
      }
      return new WireStore(connection, namespace);
    } catch (error) {
      await connection.close();
      throw error;
    }
  }

  async #run(
    what: string,
    parts: CommandPart[],
    onUntagged?: Parameters<WireConnection['run']>[1],
  ): Promise<Completion> {
    try {
      return await this.#connection.run(parts, onUntagged);
    } catch (error) {
      throw during(what, error);
    }
  }

  #requireOpen(): { path: string; exists: number } {
    if (!this.#open) throw new TrancheError('internal', 'no folder is open');
    return this.#open;
  }

  async listFolders(options?: { counts?: boolean }): Promise<FolderInfo[]> {
    const caps = this.#connection.capabilities;
    const specialUse = caps.has('SPECIAL-USE');
    const roles = specialUse && caps.has('LIST-EXTENDED') ? ['SPECIAL-USE'] : [];
    const list = (returns: string[]): Promise<Completion> =>
      this.#run('LIST', [`LIST "" "*"${returns.length > 0 ? ` RETURN (${returns.join(' ')})` : ''}`]);
    let done: Completion;
    if (options?.counts && caps.has('LIST-STATUS')) {
      try {
        // RFC 5819: the counts come with the list, in the same round trip.
        done = await list([...roles, `STATUS (${this.#statusItems()})`]);
      } catch (error) {
        // A server that offers LIST-STATUS and refuses it: the list without counts.
        if (!(error instanceof TrancheError) || error.type !== 'server') throw error;
        done = await list(roles);
      }
    } else done = await list(roles);
    const statuses = new Map<string, StatusItems>();
    for (const r of done.untagged) {
      const status = parseStatusItems(r);
      if (status) statuses.set(status.path, status);
    }
    return done.untagged
      .map((r) => parseListResponse(r, this.namespace.prefix, !specialUse))
      .filter((f): f is FolderInfo => f !== undefined)
      .map((f) => {
        const status = statuses.get(f.path);
        return status ? { ...f, ...countsOf(status) } : f;
      });
  }

  async folderCounts(paths: readonly string[]): Promise<Map<string, FolderCounts>> {
    const counts = new Map<string, FolderCounts>();
    await this.#statusEach(paths, this.#statusItems(), (path, completion) => {
      // A NO (no such folder, not allowed) leaves the folder out: its pass opens it and says why.
      const status = completion.status === 'OK' ? statusAnswer(completion, path) : undefined;
      if (status) counts.set(path, countsOf(status));
    });
    return counts;
  }

  async folderSizes(paths: readonly string[]): Promise<Map<string, FolderSize>> {
    const items = this.#connection.capabilities.has('STATUS=SIZE') ? 'MESSAGES SIZE' : 'MESSAGES';
    const sizes = new Map<string, FolderSize>();
    await this.#statusEach(paths, items, (path, completion) => {
      if (completion.status !== 'OK') throw during(`STATUS ${path}`, completionError([], completion));
      const status = statusAnswer(completion, path);
      sizes.set(path, { messages: status?.messages ?? 0, bytes: status?.size });
    });
    return sizes;
  }

  /**
   * STATUS of each folder, STATUS_IN_FLIGHT at once: each worker sends its next when the one before
   * is answered, and hands each answer (OK, NO or BAD) to onAnswer. An error stops the asking.
   */
  async #statusEach(
    paths: readonly string[],
    items: string,
    onAnswer: (path: string, completion: Completion) => void,
  ): Promise<void> {
    let next = 0;
    let stopped = false;
    const ask = async (): Promise<void> => {
      while (!stopped && next < paths.length) {
        const path = paths[next++]!;
        const completion = await this.#connection
          .send(statusCommand(path, items))
          .done.catch((error: unknown) => Promise.reject(during(`STATUS ${path}`, error)));
        onAnswer(path, completion);
      }
    };
    const workers = Array.from({ length: Math.min(STATUS_IN_FLIGHT, paths.length) }, () =>
      ask().catch((error: unknown) => {
        stopped = true;
        throw error;
      }),
    );
    await Promise.all(workers);
  }

  /** The STATUS items a folder's counts are asked with (HIGHESTMODSEQ only where CONDSTORE is). */
  #statusItems(): string {
    return `MESSAGES UIDNEXT UIDVALIDITY${this.supportsModseq ? ' HIGHESTMODSEQ' : ''}`;
  }

  async createFolder(path: string): Promise<void> {
    const { done } = this.#connection.send(['CREATE ', astring(encodeFolderName(path))]);
    const completion = await done;
    if (completion.status === 'OK' || /\[ALREADYEXISTS\]/i.test(completion.text)) return;
    throw new TrancheError('server', `CREATE ${path}: ${completionError([], completion).message}`);
  }

  async openFolder(path: string, readOnly: boolean): Promise<FolderStatus> {
    const verb = readOnly ? 'EXAMINE ' : 'SELECT ';
    const condstore = this.supportsModseq ? ' (CONDSTORE)' : '';
    this.#open = undefined;
    const done = await this.#run(`${verb.trim()} ${path}`, [
      verb,
      astring(encodeFolderName(path)),
      condstore,
    ]);
    const status = parseSelect(done.untagged);
    this.#open = { path, exists: status.exists };
    return {
      uidValidity: status.uidValidity,
      uidNext: status.uidNext,
      messages: status.exists,
      highestModseq: this.supportsModseq ? status.highestModseq : undefined,
      permanentFlags: status.permanentFlags,
    };
  }

  async appendLimit(path: string): Promise<number | null | undefined> {
    const announced = [...this.#connection.capabilities].find((c) => /^APPENDLIMIT(=|$)/.test(c));
    if (announced === undefined) return undefined;
    const global = announced.includes('=') ? Number(announced.slice('APPENDLIMIT='.length)) : undefined;
    // RFC 7889: a server with the capability answers STATUS (APPENDLIMIT) per folder; NIL is no limit.
    try {
      const done = await this.#run(`STATUS ${path}`, statusCommand(path, 'APPENDLIMIT'));
      const own = statusAnswer(done, path)?.appendLimit;
      if (own !== undefined) return own;
    } catch (error) {
      // A server that announces the capability but refuses the item: its global figure stands.
      // (Its BAD names APPENDLIMIT, so it may be classified as a refused message.)
      const type = toTrancheError(error).type;
      if (type !== 'server' && type !== 'message-refused') throw error;
    }
    return global;
  }

  async listMessages(fromUid = 1, toUid?: number): Promise<MessageMeta[]> {
    const folder = this.#requireOpen();
    if (folder.exists === 0) return [];
    const out: MessageMeta[] = [];
    await this.#run(
      `FETCH in ${folder.path}`,
      [`UID FETCH ${fromUid}:${toUid ?? '*'} (UID FLAGS RFC822.SIZE INTERNALDATE)`],
      (r) => {
        const item = parseFetchResponse(r);
        // "N:*" always names the last message, even when its UID is below N.
        if (item?.uid !== undefined && item.uid >= fromUid && item.uid <= (toUid ?? Infinity))
          out.push(meta(item));
      },
    );
    return out;
  }

  async changedSince(modseq: bigint): Promise<{ uid: number; flags: string[] }[]> {
    const folder = this.#requireOpen();
    if (folder.exists === 0) return [];
    const out: { uid: number; flags: string[] }[] = [];
    await this.#run(
      `FETCH CHANGEDSINCE in ${folder.path}`,
      [`UID FETCH 1:* (UID FLAGS) (CHANGEDSINCE ${modseq})`],
      (r) => {
        const item = parseFetchResponse(r);
        if (item?.uid !== undefined && item.flags)
          out.push({ uid: item.uid, flags: storableFlags(item.flags) });
      },
    );
    return out;
  }

  async uidsPresent(upTo: number): Promise<UidRange[]> {
    const folder = this.#requireOpen();
    const ranges: UidRange[] = [];
    if (folder.exists === 0 || upTo < 1) return ranges;
    const compact = this.#connection.capabilities.has('ESEARCH') ? 'RETURN (ALL) ' : '';
    await this.#run(`SEARCH in ${folder.path}`, [`UID SEARCH ${compact}UID 1:${upTo}`], (r) => {
      readSearchResponse(r, ranges);
    });
    return ranges;
  }

  /** Streams the messages as they arrive; the socket pauses while too many bytes wait for the consumer. */
  async *fetchMessages(uids: number[]): AsyncIterable<MessageWithBody> {
    const folder = this.#requireOpen();
    if (uids.length === 0) return;
    const wanted = new Set(uids);
    const queue: MessageWithBody[] = [];
    let queuedBytes = 0;
    let abandoned = false;
    let wake: (() => void) | undefined;
    let outcome: { error?: Error } | undefined;
    const { done } = this.#connection.send(
      [`UID FETCH ${uidSet(uids)} (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])`],
      (response) => {
        const item = parseFetchResponse(response);
        if (abandoned || !item?.body || item.uid === undefined || !wanted.has(item.uid)) return;
        const message = { ...meta(item), body: item.body };
        queue.push(message);
        queuedBytes += message.size;
        if (queuedBytes > FETCH_WINDOW_BYTES) this.#connection.pause();
        wake?.();
      },
    );
    done.then(
      (c) => {
        outcome = c.status === 'OK' ? {} : { error: completionError([], c) };
        wake?.();
      },
      (error: Error) => {
        outcome = { error };
        wake?.();
      },
    );
    try {
      for (;;) {
        const next = queue.shift();
        if (next) {
          queuedBytes -= next.size;
          if (queuedBytes < FETCH_WINDOW_BYTES / 2) this.#connection.resume();
          yield next;
          continue;
        }
        if (outcome?.error) throw during(`FETCH bodies in ${folder.path}`, outcome.error, 'server');
        if (outcome) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      abandoned = true;
      this.#connection.resume();
    }
  }

  appendBatch(path: string): AppendBatch {
    this.#growing(path);
    if (!this.#connection.capabilities.has('MULTIAPPEND')) {
      return { append: (message) => this.append(path, message), end: () => Promise.resolve() };
    }
    return new MultiAppend(this.#connection, path, appendHead(path), describeAppend, (message) =>
      this.append(path, message),
    );
  }

  /** Appending to the open folder grows it: listMessages must no longer take it for empty. */
  #growing(path: string): void {
    if (this.#open?.path === path) this.#open.exists = Math.max(this.#open.exists, 1);
  }

  async append(path: string, message: NewMessage): Promise<PendingAppend> {
    this.#growing(path);
    const { flags, date } = describeAppend(message);
    const { written, done } = this.#connection.send([
      ...appendHead(path),
      ...appendArguments(flags, date, message),
    ]);
    const uid = done.then((c) => {
      if (c.status !== 'OK') {
        throw during(`APPEND to ${path}`, completionError([], c));
      }
      const m = /\[APPENDUID \d+ (\d+)\]/i.exec(c.text);
      return m ? Number(m[1]) : undefined;
    });
    uid.catch(() => undefined); // the caller handles it; never an unhandled rejection
    await written;
    return { uid };
  }

  async setFlags(uids: number[], flags: string[]): Promise<void> {
    const folder = this.#requireOpen();
    if (uids.length === 0) return;
    await this.#run(`STORE in ${folder.path}`, [`UID STORE ${uidSet(uids)} FLAGS.SILENT ${flagList(flags)}`]);
  }

  async expunge(uids: number[]): Promise<void> {
    const folder = this.#requireOpen();
    if (uids.length === 0) return;
    if (!this.#connection.capabilities.has('UIDPLUS')) {
      throw new TrancheError(
        'server',
        `the server lacks UIDPLUS: tranche cannot remove only the chosen messages in ${folder.path}`,
      );
    }
    const set = uidSet(uids);
    await this.#run(`STORE in ${folder.path}`, [`UID STORE ${set} +FLAGS.SILENT (\\Deleted)`]);
    await this.#run(`EXPUNGE in ${folder.path}`, [`UID EXPUNGE ${set}`]);
  }

  async close(): Promise<void> {
    await this.#connection.close();
  }
}
