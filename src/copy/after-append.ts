import type { MailStore, MessageMeta } from '../mailstore/mail-store.js';
import type { FolderCheckpoint } from './checkpoint.js';
import type { FolderFlags } from './folder-flags.js';
import type { FolderReport } from './sync-report.js';

/** Target UIDs per flag STORE: keeps command lines far below servers' limits (Dovecot: 64 KB). */
export const STORE_UIDS = 500;

/**
 * Checks what the target stored of a batch just appended (one FETCH of the new messages' sizes and
 * flags): a message stored with another size is a warning (altered-by-target, counted as copied); a
 * system flag given with APPEND and dropped (Exchange Online drops \Flagged) is set again by UID
 * STORE when the folder permits it; a keyword dropped is recorded (one warning per folder) and not
 * given again in this folder.
 */
export async function checkAppended(
  report: FolderReport,
  target: MailStore,
  cp: FolderCheckpoint,
  batch: readonly MessageMeta[],
  folder: string,
  flags: FolderFlags,
  sent?: ReadonlyMap<number, string[]>,
): Promise<void> {
  const copied = batch.filter((m) => cp.map.has(m.uid));
  if (copied.length === 0) return;
  // What each message was given (SENT, or as the folder keeps flags now, for a batch found after a crash),
  // decided before any drop found below changes what the folder keeps.
  const given = new Map(
    copied.map((m) => [m.uid, sent?.get(m.uid) ?? m.flags.filter((f) => flags.keeps(f))]),
  );
  // Only this batch's UIDs: lanes sharing the folder append above it meanwhile (in a split folder
  // "floor:*" returned up to four batches to each check).
  let first = Infinity;
  let last = 0;
  for (const m of copied) {
    const uid = cp.map.get(m.uid)!;
    first = Math.min(first, uid);
    last = Math.max(last, uid);
  }
  const stored = new Map((await target.listMessages(first, last)).map((m) => [m.uid, m]));
  const restore = new Map<string, { flags: string[]; uids: number[] }>();
  for (const m of copied) {
    const targetUid = cp.map.get(m.uid)!;
    const there = stored.get(targetUid);
    if (!there) continue;
    if (there.size !== m.size) {
      report.altered.push({
        kind: 'altered-by-target',
        folder,
        uid: m.uid,
        size: m.size,
        reason: `the target stored it with ${there.size} bytes (${m.size} at the source)`,
      });
    }
    const got = new Set(there.flags.map((f) => f.toLowerCase()));
    const sent = given.get(m.uid)!;
    const missing = sent.filter((f) => !got.has(f.toLowerCase()));
    if (missing.length === 0) continue;
    for (const keyword of missing.filter((f) => !f.startsWith('\\'))) flags.droppedOnAppend(m.uid, keyword);
    if (!missing.some((f) => f.startsWith('\\') && flags.storable(f))) continue;
    const wanted = sent.filter((f) => flags.keeps(f));
    const key = wanted.join(' ');
    const group = restore.get(key) ?? { flags: wanted, uids: [] };
    group.uids.push(targetUid);
    restore.set(key, group);
  }
  // The folder is selected on this connection (the batch's lane); STOREs are pipelined.
  const stores: Promise<void>[] = [];
  for (const { flags: wanted, uids } of restore.values()) {
    for (let i = 0; i < uids.length; i += STORE_UIDS)
      stores.push(target.setFlags(uids.slice(i, i + STORE_UIDS), wanted));
    report.flagsRestored += uids.length;
  }
  await Promise.all(stores);
}
