import { astring } from '../mailstore/imap/wire/command.js';
import type { WireConnection } from '../mailstore/imap/wire/wire-connection.js';
import { soakMarker } from './soak-message.js';
import type { UserMail } from './user-actions.js';

/** What the clean-up of one user did. */
export interface CleanupResult {
  removed: number;
  /** Messages of the run left behind, and why (e.g. no UIDPLUS and other messages marked deleted). */
  left: number;
  problems: string[];
}

function searchUids(untagged: { lines: string[] }[]): number[] {
  const line = untagged.map((r) => r.lines[0] ?? '').find((l) => /^\* SEARCH/i.test(l)) ?? '';
  return line.slice('* SEARCH'.length).trim().split(/\s+/).filter(Boolean).map(Number);
}

/**
 * Removes every message this run appended to the user's folders: those it has UIDs for and any other
 * carrying the run's Message-ID marker, by UID EXPUNGE only, so nothing else the account holds is
 * touched. A server without UIDPLUS gets a plain EXPUNGE only when no other message is marked deleted.
 */
export async function removeAppended(wire: WireConnection, mail: UserMail): Promise<CleanupResult> {
  const result: CleanupResult = { removed: 0, left: 0, problems: [] };
  const folders = [...new Set(['INBOX', ...(mail.sent ? [mail.sent] : [])])];
  for (const folder of folders) {
    await wire.run(['SELECT ', astring(folder)]);
    const found = await wire.run(['UID SEARCH HEADER Message-ID ', astring(soakMarker(mail.runId))]);
    const uids = new Set([
      ...searchUids(found.untagged),
      ...mail.appended.filter((a) => a.folder === folder).map((a) => a.uid),
    ]);
    if (uids.size === 0) continue;
    const set = [...uids].sort((a, b) => a - b).join(',');
    await wire.run([`UID STORE ${set} +FLAGS.SILENT (\\Deleted)`]);
    if (mail.uidplus) {
      await wire.run([`UID EXPUNGE ${set}`]);
      result.removed += uids.size;
      continue;
    }
    const others = await wire.run([
      'UID SEARCH DELETED NOT HEADER Message-ID ',
      astring(soakMarker(mail.runId)),
    ]);
    if (searchUids(others.untagged).length > 0) {
      result.left += uids.size;
      result.problems.push(
        `${mail.user} ${folder}: ${uids.size} soak messages left marked \\Deleted (no UIDPLUS, and other messages are marked deleted)`,
      );
      continue;
    }
    await wire.run(['EXPUNGE']);
    result.removed += uids.size;
  }
  mail.appended = [];
  return result;
}
