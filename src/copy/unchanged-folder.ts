import type { FolderCheckpoint } from './checkpoint.js';
import type { FolderPair } from './folder-map.js';

/**
 * Whether the source's folder list (LIST-STATUS) shows a folder unchanged since the last finished
 * pass: the same UIDVALIDITY, no new message (UIDNEXT as the pass left it) and no flag changed
 * (HIGHESTMODSEQ as it left it), with no batch under way and no message to try again. Its pass is
 * then one round trip on a connection another folder's pass used, so it is given no connection of
 * its own. What the list does not say (no LIST-STATUS, no CONDSTORE, no finished pass) is a change.
 */
export function unchangedSinceLastPass(pair: FolderPair, checkpoint: FolderCheckpoint | undefined): boolean {
  const listed = pair.source;
  if (!checkpoint || checkpoint.targetFolder !== pair.targetPath) return false;
  if (checkpoint.pending || (checkpoint.unreadable?.length ?? 0) > 0) return false;
  if (listed.uidValidity === undefined || listed.uidValidity !== checkpoint.sourceUidValidity) return false;
  if (listed.uidNext === undefined || listed.uidNext !== checkpoint.sourceUidNext) return false;
  if (listed.highestModseq === undefined || checkpoint.highestModseq === undefined) return false;
  return listed.highestModseq === BigInt(checkpoint.highestModseq);
}
