import type { FolderStatus, MailStore, MessageMeta, UidRange } from '../mailstore/mail-store.js';
import type { FolderCheckpoint } from './checkpoint.js';
import type { UidMap } from './uid-map.js';

/**
 * Where this pass may start listing the source folder: the checkpoint's UIDNEXT when a delta pass
 * is safe, else 1 (the whole folder, as a first pass, or when the source cannot say which flags
 * changed). A delta needs what the last finished pass left (the UID map still valid, its UIDNEXT
 * and HIGHESTMODSEQ) and CONDSTORE now, so flag changes below that UID come from CHANGEDSINCE and
 * new messages from `UID FETCH <uidnext>:*`; nothing else of the folder is read.
 */
export function listingStart(
  checkpoint: FolderCheckpoint,
  source: MailStore,
  sourceStatus: FolderStatus,
): number {
  const from = checkpoint.sourceUidNext;
  if (from === undefined || from < 1 || from > sourceStatus.uidNext) return 1;
  if (!source.supportsModseq || sourceStatus.highestModseq === undefined) return 1;
  if (checkpoint.highestModseq === undefined) return 1;
  // A server that lost its modseqs (an index rebuilt under the same UIDVALIDITY) can say nothing of what changed.
  if (BigInt(checkpoint.highestModseq) > sourceStatus.highestModseq) return 1;
  // A batch under way or an unreadable message below the mark would not be listed: list it all.
  if (checkpoint.pending?.messages.some((m) => m.sourceUid < from)) return 1;
  if (checkpoint.unreadable?.some((uid) => uid < from)) return 1;
  return from;
}

/**
 * The UIDNEXT a finished pass leaves in the checkpoint: below it every source message was copied.
 * It is the source's UIDNEXT (or past the last message listed, for one that arrived after SELECT),
 * lowered to the first listed message that is not in the map (refused by the target, unreadable),
 * so that the next pass lists it again and gives it another try, as a full pass would.
 */
export function nextListingStart(
  listed: MessageMeta[],
  map: UidMap,
  sourceStatus: FolderStatus,
  from: number,
): number {
  let mark = Math.max(from, sourceStatus.uidNext);
  for (const m of listed) mark = Math.max(mark, m.uid + 1);
  for (const m of listed) if (!map.has(m.uid)) mark = Math.min(mark, m.uid);
  return mark;
}

/**
 * The mapped (source UID, target UID) pairs whose source message is no longer there; `present`
 * holds the source's UIDs as ascending ranges, covering every UID the map holds. Walks runs against
 * ranges, so a folder with few holes costs little whatever its size.
 */
export function vanishedPairs(map: UidMap, present: readonly UidRange[]): [number, number][] {
  const out: [number, number][] = [];
  let r = 0;
  for (const run of map.runs()) {
    let uid = run.source;
    const end = run.source + run.length; // exclusive
    while (uid < end) {
      while (r < present.length && present[r]!.last < uid) r++;
      const range = present[r];
      if (range && range.first <= uid) {
        uid = Math.min(end, range.last + 1);
        continue;
      }
      const gapEnd = range ? Math.min(end, range.first) : end;
      for (; uid < gapEnd; uid++) out.push([uid, run.target + (uid - run.source)]);
    }
  }
  return out;
}
