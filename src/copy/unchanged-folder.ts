import type { FolderCounts, FolderInfo, MailStore } from '../mailstore/mail-store.js';
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
 * What the lists do not say (no CONDSTORE, no finished pass) counts as a change.
 *
 * A pass that brings deletions across (`propagateDeletes`) also needs the source's message count to
 * be the one a finished such pass left: an expunge need not move HIGHESTMODSEQ (it must only with
 * QRESYNC), but with no new UID it always lowers the count.
 */
export function unchangedSinceLastPass(
  pair: FolderPair,
  target: FolderInfo | undefined,
  checkpoint: FolderCheckpoint | undefined,
  propagateDeletes = false,
): boolean {
  const source = pair.source;
  if (!finishedFor(pair, checkpoint, propagateDeletes) || !target) return false;
  return (
    source.uidValidity === checkpoint.sourceUidValidity &&
    source.uidNext === checkpoint.sourceUidNext &&
    sameModseq(source.highestModseq, checkpoint.highestModseq) &&
    target.uidValidity === checkpoint.targetUidValidity &&
    (!propagateDeletes || source.messages === checkpoint.sourceMessagesAfterDeletes)
  );
}

/**
 * Whether the last pass over the folder finished: no batch under way, no message to try again; for a
 * pass that brings deletions across, also one that brought them across (it left the source's count).
 */
function finishedFor(
  pair: FolderPair,
  checkpoint: FolderCheckpoint | undefined,
  propagateDeletes: boolean,
): checkpoint is FolderCheckpoint {
  if (!checkpoint || checkpoint.targetFolder !== pair.targetPath) return false;
  if (propagateDeletes && checkpoint.sourceMessagesAfterDeletes === undefined) return false;
  return !checkpoint.pending && (checkpoint.unreadable?.length ?? 0) === 0;
}

/** A folder's listing with what STATUS said of it, where the list did not carry it. */
function withCounts(listed: FolderInfo, counts: FolderCounts | undefined): FolderInfo {
  return counts ? { ...listed, ...counts } : listed;
}

const listsCounts = (f: FolderInfo): boolean => f.uidValidity !== undefined && f.uidNext !== undefined;

/**
 * The folders a pass need not open (unchangedSinceLastPass), each with the report its pass would
 * have made. Where a side's list did not carry the STATUS items (a server without LIST-STATUS, as
 * Exchange Online), the folders a finished pass left are asked with STATUS, all at once on each
 * side: one round trip, where opening them took a connection pair and two or three round trips
 * each. A first copy asks nothing (no checkpoint), nor does a source without CONDSTORE (without
 * HIGHESTMODSEQ a flag changed at the source cannot be seen, so its folders are opened).
 */
export async function unchangedFolders(
  stores: { source: MailStore; target: MailStore },
  pairs: readonly FolderPair[],
  targetFolders: readonly FolderInfo[],
  checkpoints: ReadonlyMap<FolderPair, FolderCheckpoint | undefined>,
  propagateDeletes: boolean,
): Promise<Map<FolderPair, FolderReport>> {
  const unchanged = new Map<FolderPair, FolderReport>();
  if (!stores.source.supportsModseq) return unchanged;
  const targetByPath = new Map(targetFolders.map((f) => [f.path, f]));
  const candidates = pairs.flatMap((pair) => {
    const checkpoint = checkpoints.get(pair);
    const target = targetByPath.get(pair.targetPath);
    return target && finishedFor(pair, checkpoint, propagateDeletes) ? [{ pair, target, checkpoint }] : [];
  });
  const [sourceCounts, targetCounts] = await Promise.all([
    askCounts(
      stores.source,
      candidates.map((c) => c.pair.source).filter((f) => !listsCounts(f) || f.highestModseq === undefined),
    ),
    askCounts(
      stores.target,
      candidates.map((c) => c.target).filter((f) => !listsCounts(f)),
    ),
  ]);
  for (const { pair, target, checkpoint } of candidates) {
    const source = { ...pair, source: withCounts(pair.source, sourceCounts.get(pair.source.path)) };
    const targetNow = withCounts(target, targetCounts.get(target.path));
    if (unchangedSinceLastPass(source, targetNow, checkpoint, propagateDeletes))
      unchanged.set(pair, unchangedReport(source, checkpoint));
  }
  return unchanged;
}

/** STATUS of the folders whose list entries lacked it; nothing asked when there are none. */
async function askCounts(store: MailStore, unlisted: FolderInfo[]): Promise<Map<string, FolderCounts>> {
  return unlisted.length === 0 ? new Map() : store.folderCounts(unlisted.map((f) => f.path));
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
