import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** How a pass ended. */
export type PassOutcome = 'ok' | 'partial' | 'failed' | 'interrupted';

/** An item a pass could not copy (or, kind altered-by-target, copied changed), with the reason. */
export interface SkippedItem {
  /** copy/sync-report.ts SkippedKind; uid 0 names a whole folder. */
  kind: string;
  folder: string;
  uid: number;
  size: number | null;
  reason: string;
}

/** What a pass did, as its record keeps it. */
export interface PassClose {
  id: string;
  mailbox: string;
  at: Date;
  outcome: PassOutcome;
  messages: number;
  bytes: number;
  /** Calendar items and contacts written (created or updated). */
  calendarItems: number;
  contacts: number;
  skipped: readonly SkippedItem[];
  /** Folders the pass went through: their earlier items are replaced by what it found now. */
  finishedFolders: readonly string[];
  error: { type?: string; message: string } | undefined;
}

/**
 * Closes the record of a pass with what it copied and why it failed, and keeps its skipped items.
 * Runs inside the caller's transaction (finishStep, which also moves the mailbox row on).
 */
export async function closePass(tx: Kysely<Database>, pass: PassClose): Promise<void> {
  const at = pass.at.toISOString();
  await tx
    .updateTable('pass')
    .set({
      finished_at: at,
      outcome: pass.outcome,
      messages: pass.messages,
      bytes: pass.bytes,
      calendar_items: pass.calendarItems,
      contacts: pass.contacts,
      skipped: pass.skipped.length,
      error_type: pass.error?.type ?? null,
      error_reason: pass.error?.message ?? null,
    })
    .where('id', '=', pass.id)
    .execute();
  // What a later pass copied after all (a repaired message, a renamed folder) is forgotten.
  if (pass.finishedFolders.length > 0) {
    await tx
      .deleteFrom('skipped_item')
      .where('mailbox', '=', pass.mailbox)
      .where('folder', 'in', pass.finishedFolders)
      .execute();
  }
  for (const item of pass.skipped) {
    await tx
      .insertInto('skipped_item')
      .values({
        mailbox: pass.mailbox,
        kind: item.kind,
        folder: item.folder,
        uid: item.uid,
        size: item.size,
        reason: item.reason,
        recorded_at: at,
      })
      .onConflict((oc) =>
        oc
          .columns(['mailbox', 'folder', 'uid'])
          .doUpdateSet({ kind: item.kind, reason: item.reason, recorded_at: at }),
      )
      .execute();
  }
}
