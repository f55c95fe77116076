import type { MessageBody } from './message-body.js';

/** A special-use role (RFC 6154), as the server advertises it or as guessed from a well-known name. */
export type SpecialUse = '\\Sent' | '\\Drafts' | '\\Trash' | '\\Junk' | '\\Archive' | '\\All' | '\\Flagged';

/** One folder as a mail store lists it. */
export interface FolderInfo {
  /** The folder's full path on this server, decoded to UTF-8, with the server's own delimiter and prefix. */
  path: string;
  /** The hierarchy delimiter, or '' for a flat store. */
  delimiter: string;
  /** Its special-use role, when it has one. */
  specialUse: SpecialUse | undefined;
  /** True when the folder can't hold messages (\Noselect, \NonExistent). */
  noSelect: boolean;
  /** Its message count, when asked for and the server gave it with the list (LIST-STATUS). */
  messages?: number;
  /** UIDNEXT and UIDVALIDITY, given with the counts (LIST-STATUS). */
  uidNext?: number;
  uidValidity?: number;
  /** HIGHESTMODSEQ, given with the counts where the server has CONDSTORE. */
  highestModseq?: bigint;
}

/** What STATUS tells of a folder without opening it: the items LIST-STATUS gives with a list. */
export type FolderCounts = Pick<FolderInfo, 'messages' | 'uidNext' | 'uidValidity' | 'highestModseq'>;

/** A folder's message count and total bytes (undefined when the server cannot tell: no STATUS=SIZE). */
export interface FolderSize {
  messages: number;
  bytes: number | undefined;
}

/** The personal namespace: where a user's folders live. */
export interface Namespace {
  prefix: string;
  delimiter: string;
}

/** The state of an opened folder. */
export interface FolderStatus {
  uidValidity: number;
  uidNext: number;
  messages: number;
  /** HIGHESTMODSEQ, when the server supports CONDSTORE for this folder. */
  highestModseq: bigint | undefined;
  /**
   * The flags a client may store for good (PERMANENTFLAGS), '\\*' among them when it may make up
   * keywords of its own; undefined when the server did not say.
   */
  permanentFlags?: string[] | undefined;
}

/** What is known of a message without reading its bytes. */
export interface MessageMeta {
  uid: number;
  flags: string[];
  size: number;
  internalDate: Date;
}

/** UIDs first to last, both included. */
export interface UidRange {
  first: number;
  last: number;
}

/** A message with its bytes. */
export interface MessageWithBody extends MessageMeta {
  body: MessageBody;
}

/** A message to write. */
export interface NewMessage {
  body: MessageBody;
  flags: string[];
  internalDate: Date;
}

/** An APPEND under way. */
export interface PendingAppend {
  uid: Promise<number | undefined>;
}

/**
 * Appends into one folder that the store may group into few commands (MULTIAPPEND, RFC 3502), each
 * message with the same promise as MailStore.append. end() must follow the last append, also when
 * the caller stops early: the connection carries nothing else until then.
 */
export interface AppendBatch {
  append(message: NewMessage): Promise<PendingAppend>;
  /** Sends what is still held back; resolves once written (answers come through each uid promise). */
  end(): Promise<void>;
}

/** One interface over a mail system: list folders, read and write messages. */
export interface MailStore {
  /** The personal namespace (prefix and delimiter). */
  readonly namespace: Namespace;
  /** Whether flag changes can be asked for incrementally (CONDSTORE). */
  readonly supportsModseq: boolean;
  /** Whether an APPEND's answer names the new message's UID (UIDPLUS). */
  readonly appendUids: boolean;
  /**
   * The folders; with `counts`, each with its message count, UIDNEXT, UIDVALIDITY and HIGHESTMODSEQ where
   * the server gives them in the same round trip (LIST-STATUS).
   */
  listFolders(options?: { counts?: boolean }): Promise<FolderInfo[]>;
  /**
   * The same items for servers whose list does not carry them (no LIST-STATUS): one STATUS per
   * folder, pipelined (a round trip for up to 64 folders). A folder the server does not tell of is
   * left out.
   */
  folderCounts(paths: readonly string[]): Promise<Map<string, FolderCounts>>;
  createFolder(path: string): Promise<void>;
  /**
   * Each folder's message count and, when the server can tell (STATUS=SIZE), total bytes, without
   * opening it: one STATUS per folder, pipelined as folderCounts. A folder the server refuses fails
   * the whole call with the server's words.
   */
  folderSizes(paths: readonly string[]): Promise<Map<string, FolderSize>>;
  /**
   * The largest message the server takes into a folder (RFC 7889 APPENDLIMIT: the folder's own from
   * STATUS, else the server's): a number of bytes, null when the server says there is no limit,
   * undefined when it says nothing.
   */
  appendLimit(path: string): Promise<number | null | undefined>;
  /** Opens a folder for the calls below; readOnly uses EXAMINE. */
  openFolder(path: string, readOnly: boolean): Promise<FolderStatus>;
  /** Metadata of the open folder's messages with UID >= fromUid (and <= toUid when given). */
  listMessages(fromUid?: number, toUid?: number): Promise<MessageMeta[]>;
  /** Flags of messages whose flags changed since modseq (CONDSTORE). */
  changedSince(modseq: bigint): Promise<{ uid: number; flags: string[] }[]>;
  /**
   * The UIDs of the open folder's messages from 1 to upTo, as ascending ranges: compact where the
   * server can say so (ESEARCH, RFC 4731), so a folder without holes is one range whatever its size.
   */
  uidsPresent(upTo: number): Promise<UidRange[]>;
  /** The given messages of the open folder, bytes included, in UID order; missing UIDs are left out. */
  fetchMessages(uids: number[]): AsyncIterable<MessageWithBody>;
  /**
   * Appends to a folder (need not be open) without waiting for the server: resolves once the
   * message is on its way within the store's write window, with `uid` settling when the server
   * answers (the new UID with UIDPLUS, else undefined). Many appends may be in flight at once.
   */
  append(path: string, message: NewMessage): Promise<PendingAppend>;
  /** Starts appends into one folder that may share commands; see AppendBatch. */
  appendBatch(path: string): AppendBatch;
  /** Replaces the flags of messages of the open folder (one command); calls may overlap. */
  setFlags(uids: number[], flags: string[]): Promise<void>;
  /** Removes messages of the open folder for good. */
  expunge(uids: number[]): Promise<void>;
  close(): Promise<void>;
}
