import type { DavSyncReport } from '../copy/dav/dav-sync-report.js';
import type { CollectionKind } from '../davstore/dav-store.js';
import type { SyncReport } from '../copy/sync-report.js';

import type { PassClose, PassOutcome, SkippedItem } from '../state/pass/close-pass.js';

export { openPass as startPass } from '../state/pass/open-pass.js';
export type { PassOutcome };

/** What a pass's two parts reported: the mail, and the calendars and contacts (each undefined when it did not run or end). */
export interface PassReports {
  mail: SyncReport | undefined;
  dav: DavSyncReport | undefined;
}

/** The skipped-item kind of a calendar item or contact that did not move. */
export const DAV_SKIPPED_KIND = 'dav-item-skipped';

/** Items of one kind a DAV pass wrote to the target: created or updated. */
export function written(report: DavSyncReport, kind: CollectionKind): number {
  return report.totals[kind].copied + report.totals[kind].updated;
}

/**
 * A DAV pass's skipped items as the pass record keeps them: under the source collection, numbered in
 * the pass's order (the UID, which is text, goes in the reason with the server's words).
 */
function davSkipped(report: DavSyncReport): SkippedItem[] {
  const seen = new Map<string, number>();
  return report.skipped.map((s) => {
    const n = (seen.get(s.collection) ?? 0) + 1;
    seen.set(s.collection, n);
    return {
      kind: DAV_SKIPPED_KIND,
      folder: s.collection,
      uid: n,
      size: s.size,
      reason: `UID ${s.uid}: ${s.reason}`,
    };
  });
}

/** A pass's record as it closes, from what the copy reported and why it stopped. */
export function passClose(
  id: string,
  mailbox: string,
  at: Date,
  outcome: PassOutcome,
  reports: PassReports,
  error: { type?: string; message: string } | undefined,
): PassClose {
  const { mail, dav } = reports;
  return {
    id,
    mailbox,
    at,
    outcome,
    messages: mail?.messagesCopied ?? 0,
    bytes: mail?.bytesCopied ?? 0,
    calendarItems: dav ? written(dav, 'calendar') : 0,
    contacts: dav ? written(dav, 'addressbook') : 0,
    // Altered-by-target warnings are kept with the skipped items, by their kind.
    skipped: [...(mail?.skipped ?? []), ...(mail?.altered ?? []), ...(dav ? davSkipped(dav) : [])],
    finishedFolders: [
      ...(mail?.folders ?? []).filter((f) => !f.failure).map((f) => f.source),
      ...(dav?.collections ?? []).map((c) => c.source),
    ],
    error,
  };
}
