import { toTrancheError } from '../errors/tranche-error.js';
import type { FolderInfo, MailStore } from '../mailstore/mail-store.js';
import { newFolderReport, type FolderReport } from './sync-report.js';

/** A refusal that says the name is only a level of the hierarchy, holding no messages. */
const PLACEHOLDER_WORDS =
  /NONEXISTENT|doesn't exist|does not exist|not selectable|isn't selectable|no such mailbox/i;

/**
 * Source folders the server lists as \Noselect without children, yet could not say why: a level of
 * the hierarchy has children, so a childless one is a folder the server failed to open (Dovecot
 * lists a maildir folder it may not read that way). Each is tried; a refusal other than "no such
 * folder" makes it a skipped folder with the server's words, so the folder is not lost in silence.
 */
export async function unreadableHiddenFolders(
  source: MailStore,
  folders: FolderInfo[],
  isExcluded: (path: string) => boolean,
): Promise<FolderReport[]> {
  const childless = folders.filter(
    (f) =>
      f.noSelect &&
      !isExcluded(f.path) &&
      !folders.some((other) => other.delimiter !== '' && other.path.startsWith(f.path + other.delimiter)),
  );
  const out: FolderReport[] = [];
  for (const folder of childless) {
    try {
      await source.openFolder(folder.path, true);
    } catch (error) {
      const typed = toTrancheError(error);
      if (typed.type !== 'server') throw typed;
      if (PLACEHOLDER_WORDS.test(typed.message)) continue;
      const report = newFolderReport(folder.path, '');
      report.skipped.push({
        kind: 'folder-unreadable-at-source',
        folder: folder.path,
        uid: 0,
        size: 0,
        reason: `listed as not selectable, and ${typed.message}`,
      });
      out.push(report);
    }
  }
  return out;
}
