import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { SyncReport } from '../copy/sync-report.js';
import type { LifecycleStep } from '../programme/lifecycle/mailbox-state.js';
import type { Database } from '../state/schema.js';
import type { MailboxEnds } from './endpoint-room.js';

/** How a pass ended. */
export type PassOutcome = 'ok' | 'partial' | 'failed' | 'interrupted';

/**
 * Opens the record of a pass; returns its id. A pass of the mailbox still open is closed first as
 * interrupted: its worker died (the caller holds the lease now, so no one else is running it).
 */
export async function startPass(
  db: Kysely<Database>,
  mailbox: { address: string } & MailboxEnds,
  kind: LifecycleStep,
  worker: string,
  at: Date,
): Promise<string> {
  const id = randomUUID();
  await db
    .updateTable('pass')
    .set({
      finished_at: at.toISOString(),
      outcome: 'interrupted',
      error_reason: 'its worker stopped without finishing; the step was taken over',
    })
    .where('mailbox', '=', mailbox.address)
    .where('finished_at', 'is', null)
    .execute();
  await db
    .insertInto('pass')
    .values({
      id,
      mailbox: mailbox.address,
      kind,
      worker,
      started_at: at.toISOString(),
      source_endpoint: mailbox.source_endpoint,
      target_endpoint: mailbox.target_endpoint,
    })
    .execute();
  return id;
}

/** Closes the record of a pass with what it copied and why it failed, and keeps its skipped items. */
export async function finishPass(
  db: Kysely<Database>,
  id: string,
  mailbox: string,
  at: Date,
  outcome: PassOutcome,
  report: SyncReport | undefined,
  error: { type?: string; message: string } | undefined,
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable('pass')
      .set({
        finished_at: at.toISOString(),
        outcome,
        messages: report?.messagesCopied ?? 0,
        bytes: report?.bytesCopied ?? 0,
        skipped: report?.skipped.length ?? 0,
        error_type: error?.type ?? null,
        error_reason: error?.message ?? null,
      })
      .where('id', '=', id)
      .execute();
    // A folder this pass went through has exactly the items it found now: what a later pass
    // copied after all (a repaired message, a renamed folder) is forgotten.
    const finished = (report?.folders ?? []).filter((f) => !f.failure).map((f) => f.source);
    if (finished.length > 0) {
      await tx
        .deleteFrom('skipped_item')
        .where('mailbox', '=', mailbox)
        .where('folder', 'in', finished)
        .execute();
    }
    for (const item of [...(report?.skipped ?? []), ...(report?.altered ?? [])]) {
      await tx
        .insertInto('skipped_item')
        .values({
          mailbox,
          kind: item.kind,
          folder: item.folder,
          uid: item.uid,
          size: item.size,
          reason: item.reason,
          recorded_at: at.toISOString(),
        })
        .onConflict((oc) =>
          oc
            .columns(['mailbox', 'folder', 'uid'])
            .doUpdateSet({ kind: item.kind, reason: item.reason, recorded_at: at.toISOString() }),
        )
        .execute();
    }
    if (report) {
      // Altered messages were copied: a warning, not a skipped item.
      const skipped = await tx
        .selectFrom('skipped_item')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('mailbox', '=', mailbox)
        .where('kind', '!=', 'altered-by-target')
        .executeTakeFirstOrThrow();
      await tx
        .updateTable('mailbox')
        .set((eb) => ({
          copied_messages: eb('copied_messages', '+', report.messagesCopied),
          copied_bytes: eb('copied_bytes', '+', report.bytesCopied),
          skipped_items: Number(skipped.n),
        }))
        .where('address', '=', mailbox)
        .execute();
    }
  });
}
