import type { TrancheError } from '../errors/tranche-error.js';

/**
 * Why an item is in the report: a message the target refused, a message larger than the target
 * takes (not sent), a message the source could not read, a folder the source could not open, a folder
 * the target refused, or warnings (the messages counted as copied): a message the target stored with
 * another size than the source's, and a folder's messages copied without keywords the target does
 * not keep (one item per folder).
 */
export type SkippedKind =
  | 'refused-by-target'
  | 'too-large-for-target'
  | 'unreadable-at-source'
  | 'folder-unreadable-at-source'
  | 'folder-refused-by-target'
  | 'altered-by-target'
  | 'keywords-not-kept';

/** The kinds that are warnings: what they name was copied, changed by the target. */
export const WARNING_KINDS: readonly SkippedKind[] = ['altered-by-target', 'keywords-not-kept'];

/** A message or folder a pass could not copy (or, altered-by-target, copied changed), kept so a person can see what and why. */
export interface SkippedItem {
  kind: SkippedKind;
  folder: string;
  /** The message's source UID; 0 for a whole folder (no message has UID 0). */
  uid: number;
  /** The size the source claims, in bytes (0 for a folder). */
  size: number;
  /** The server's words, and what to do when there is something to do. */
  reason: string;
  /** keywords-not-kept: the keywords left off (for verify, which leaves them out of its comparison). */
  flags?: string[];
}

/** Whether the item names a whole folder rather than one message. */
export function isFolderItem(item: { kind: string }): boolean {
  return item.kind === 'folder-unreadable-at-source' || item.kind === 'folder-refused-by-target';
}

/** How a finished state reads with its skipped items: "done with 3 skipped items" rather than "done". */
export function withSkipped(state: string, skipped: number): string {
  return skipped > 0 ? `${state} with ${skipped} skipped item${skipped === 1 ? '' : 's'}` : state;
}

/** A folder that failed for a cause not its own (the connection, after every retry): the mailbox is not done. */
export interface FolderFailure {
  folder: string;
  type: string;
  message: string;
}

/** What one folder's pass did (every attempt of it, across reconnects). */
export interface FolderReport {
  source: string;
  target: string;
  sourceMessages: number;
  copied: number;
  copiedBytes: number;
  /** Messages found already on the target by content (after a crash or without a checkpoint). */
  matched: number;
  flagsUpdated: number;
  /** Messages whose flags were set again by STORE because the target dropped them from APPEND. */
  flagsRestored: number;
  deleted: number;
  skipped: SkippedItem[];
  /** Warnings: messages copied that the target stored with another size, keywords it does not keep. */
  altered: SkippedItem[];
  /** Keywords this folder's target is known not to keep (this pass and earlier ones), left out by verify. */
  keywordsNotKept: string[];
  /** Set when the folder did not finish. */
  failure: FolderFailure | undefined;
}

/** How a sync ended: everything there, done with skipped items (messages or folders), or not finished. */
export type SyncStatus = 'done' | 'done-with-skipped' | 'failed';

/** The summary of a whole mailbox's sync. */
export interface SyncReport {
  status: SyncStatus;
  /** Every folder of the plan that was started: finished, skipped or failed. */
  folders: FolderReport[];
  excludedFolders: string[];
  messagesCopied: number;
  bytesCopied: number;
  messagesMatched: number;
  flagsUpdated: number;
  /** Messages whose dropped flags were set again after APPEND. */
  flagsRestored: number;
  deleted: number;
  /** Messages and folders not copied, each with its reason. */
  skipped: SkippedItem[];
  /** Messages copied but stored changed by the target (warnings). */
  altered: SkippedItem[];
  /** Every folder that failed (not skipped), not only the first. */
  failedFolders: FolderFailure[];
  durationMs: number;
  /** Why the sync did not finish: the typed error as classified, its server hint kept for the scheduler. */
  error: TrancheError | null;
}

/** An empty report for one folder. */
export function newFolderReport(source: string, target: string): FolderReport {
  return {
    source,
    target,
    sourceMessages: 0,
    copied: 0,
    copiedBytes: 0,
    matched: 0,
    flagsUpdated: 0,
    flagsRestored: 0,
    deleted: 0,
    skipped: [],
    altered: [],
    keywordsNotKept: [],
    failure: undefined,
  };
}

/** What a verify after this sync leaves out: its skipped items, and each folder's keywords the target does not keep. */
export function knownToVerify(report: SyncReport): SkippedItem[] {
  return [
    ...report.skipped,
    ...report.folders
      .filter((f) => f.keywordsNotKept.length > 0)
      .map((f): SkippedItem => ({
        kind: 'keywords-not-kept',
        folder: f.source,
        uid: 0,
        size: 0,
        reason: 'keywords the target does not keep',
        flags: f.keywordsNotKept,
      })),
  ];
}
