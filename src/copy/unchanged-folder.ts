import type { FolderInfo } from '../mailstore/mail-store.js';
import type { FolderCheckpoint } from './checkpoint.js';
import { keywordsItem } from './folder-flags.js';
import type { FolderPair } from './folder-map.js';
import { newFolderReport, type FolderReport } from './sync-report.js';

/**
 * Whether the folder lists (LIST-STATUS) show a folder with nothing for a pass to do: at the source
 * the UIDVALIDITY, UIDNEXT and HIGHESTMODSEQ the last finished pass left (no new message, no
 * change), at the target the same UIDVALIDITY (the folder not made anew), and no batch under way
 * and no message to try again. A pass over such a folder would open both sides and only save the
 * checkpoint again (changes made at the target alone are not a pass's to undo: its flags follow the
 * source's changes, and a message gone from the target is not copied again), so it is not opened.
 * What a list does not say (no LIST-STATUS, no CONDSTORE, no finished pass) counts as a change.
 */
export function unchangedSinceLastPass(
  pair: FolderPair,
  target: FolderInfo | undefined,
  checkpoint: FolderCheckpoint | undefined,
): boolean {
  const source = pair.source;
  if (!checkpoint || checkpoint.targetFolder !== pair.targetPath || !target) return false;
  if (checkpoint.pending || (checkpoint.unreadable?.length ?? 0) > 0) return false;
  return (
    source.uidValidity === checkpoint.sourceUidValidity &&
    source.uidNext === checkpoint.sourceUidNext &&
    sameModseq(source.highestModseq, checkpoint.highestModseq) &&
    target.uidValidity === checkpoint.targetUidValidity
  );
}

function sameModseq(listed: bigint | undefined, kept: string | undefined): boolean {
  return listed !== undefined && kept !== undefined && listed === BigInt(kept);
}

/** The report of a folder left unopened because nothing changed: what its pass would have said. */
export function unchangedReport(pair: FolderPair, checkpoint: FolderCheckpoint): FolderReport {
  const report = newFolderReport(pair.source.path, pair.targetPath);
  report.sourceMessages = pair.source.messages ?? 0;
  report.keywordsNotKept = checkpoint.keywordsNotKept ?? [];
  const keywords = keywordsItem(pair.source.path, new Map(), report.keywordsNotKept);
  if (keywords) report.altered.push(keywords);
  return report;
}
