import type { TrancheError } from '../errors/tranche-error.js';

/** A message the target refused, kept so a person can see what and why. */
export interface SkippedItem {
  folder: string;
  uid: number;
  size: number;
  reason: string;
}

/** What one folder's pass did. */
export interface FolderReport {
  source: string;
  target: string;
  sourceMessages: number;
  copied: number;
  copiedBytes: number;
  /** Messages found already on the target by content (after a crash or without a checkpoint). */
  matched: number;
  flagsUpdated: number;
  deleted: number;
  skipped: SkippedItem[];
}

/** How a sync ended: every message there, some refused by the target, or not finished. */
export type SyncStatus = 'done' | 'done-with-skipped' | 'failed';

/** The summary of a whole mailbox's sync. */
export interface SyncReport {
  status: SyncStatus;
  folders: FolderReport[];
  excludedFolders: string[];
  messagesCopied: number;
  bytesCopied: number;
  messagesMatched: number;
  flagsUpdated: number;
  deleted: number;
  skipped: SkippedItem[];
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
    deleted: 0,
    skipped: [],
  };
}
