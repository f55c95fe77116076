import type { UidMap } from './uid-map.js';

/** A message in an APPEND batch that may or may not have reached the target before a crash. */
export interface PendingMessage {
  sourceUid: number;
  size: number;
  /** Internal date, ms since the epoch. */
  internalDate: number;
}

/** An APPEND batch under way: any target UID it produced is >= targetUidFloor. */
export interface PendingBatch {
  targetUidFloor: number;
  messages: PendingMessage[];
}

/** What the copy engine remembers of one folder between runs. */
export interface FolderCheckpoint {
  sourceFolder: string;
  targetFolder: string;
  sourceUidValidity: number;
  targetUidValidity: number;
  /** HIGHESTMODSEQ of the source when flags were last brought across (CONDSTORE), as a decimal string. */
  highestModseq: string | undefined;
  map: UidMap;
  pending: PendingBatch | undefined;
  /** Source UIDs found unreadable by the last pass: the next gives each one try on its own. */
  unreadable?: number[];
  /**
   * Set by a finished pass: every source message below this UID was copied (is in the map) when
   * that pass listed it, so a delta pass lists only from here. The source's UIDNEXT, lowered to the
   * first message a pass could not copy (refused, unreadable), which the next pass tries again.
   */
  sourceUidNext?: number;
  /**
   * Set by a finished pass that brought deletions across (--propagate-deletes): the source folder's
   * message count as it found it then. Unset by a finished pass that did not, whose deletions are
   * still to be brought across. With the same count and UIDNEXT, nothing was expunged since.
   */
  sourceMessagesAfterDeletes?: number;
  /** Keywords the target folder was found not to keep (left off, and left out by verify). */
  keywordsNotKept?: string[];
}

/** Where checkpoints are kept: the copy engine needs only these two calls. */
export interface CheckpointStore {
  load(mailboxKey: string, sourceFolder: string): Promise<FolderCheckpoint | undefined>;
  save(mailboxKey: string, checkpoint: FolderCheckpoint): Promise<void>;
}
