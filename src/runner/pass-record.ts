import type { SyncReport } from '../copy/sync-report.js';

import type { PassClose, PassOutcome } from '../state/pass/close-pass.js';

export { openPass as startPass } from '../state/pass/open-pass.js';
export type { PassOutcome };

/** A pass's record as it closes, from what the copy reported and why it stopped. */
export function passClose(
  id: string,
  mailbox: string,
  at: Date,
  outcome: PassOutcome,
  report: SyncReport | undefined,
  error: { type?: string; message: string } | undefined,
): PassClose {
  return {
    id,
    mailbox,
    at,
    outcome,
    messages: report?.messagesCopied ?? 0,
    bytes: report?.bytesCopied ?? 0,
    // Altered-by-target warnings are kept with the skipped items, by their kind.
    skipped: [...(report?.skipped ?? []), ...(report?.altered ?? [])],
    finishedFolders: (report?.folders ?? []).filter((f) => !f.failure).map((f) => f.source),
    error,
  };
}
