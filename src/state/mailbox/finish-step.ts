import type { Kysely, Updateable } from 'kysely';
import { closePass, type PassClose } from '../pass/close-pass.js';
import type { Database, MailboxTable } from '../schema.js';

/** The columns a finished step changes on its mailbox's row. */
export type StepRowChange = Pick<
  Updateable<MailboxTable>,
  | 'state'
  | 'next_step'
  | 'next_due_at'
  | 'done_at'
  | 'last_pass_at'
  | 'attempts'
  | 'failure_type'
  | 'failure_reason'
  | 'source_login'
  | 'target_login'
  | 'source_dav_login'
  | 'target_dav_login'
  | 'discover_detail'
  | 'allowance_from'
  | 'allowance_bytes'
  | 'waiting_for'
> & {
  /** Time the server made this mailbox wait (ms, programme clock), added to its stalled time. */
  stalledMs?: number;
};

/** A step's end: its pass record, and the mailbox's next state when this process still holds it. */
export interface StepFinish {
  pass: PassClose;
  /** The lease owner that ran the step: only it may move the mailbox on. */
  owner: string;
  /** The row's change (its lease is freed with it); undefined leaves the row to whoever holds it now. */
  row: StepRowChange | undefined;
}

/**
 * Finishes a step in one transaction: the pass is closed (with its skipped items), what it copied is
 * added to the mailbox's totals, and the mailbox moves on and lets its lease go — only if OWNER still
 * holds it (a runner whose lease was taken over changes nothing but its own pass). A crash leaves
 * either all of it or none. Returns whether the row was moved on.
 */
export function finishStep(db: Kysely<Database>, finish: StepFinish): Promise<boolean> {
  const { pass, owner, row } = finish;
  return db.transaction().execute(async (tx) => {
    await closePass(tx, pass);
    if (pass.messages > 0 || pass.calendarItems > 0 || pass.contacts > 0) {
      await tx
        .updateTable('mailbox')
        .set((eb) => ({
          copied_messages: eb('copied_messages', '+', pass.messages),
          copied_bytes: eb('copied_bytes', '+', pass.bytes),
          copied_calendar_items: eb('copied_calendar_items', '+', pass.calendarItems),
          copied_contacts: eb('copied_contacts', '+', pass.contacts),
        }))
        .where('address', '=', pass.mailbox)
        .execute();
    }
    if (!row) return false;
    const { stalledMs, ...columns } = row;
    const moved = await tx
      .updateTable('mailbox')
      .set((eb) => ({
        ...columns,
        ...(stalledMs ? { stalled_ms: eb('stalled_ms', '+', stalledMs) } : {}),
        lease_owner: null,
        lease_until: null,
      }))
      .where('address', '=', pass.mailbox)
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return moved.numUpdatedRows > 0n;
  });
}
