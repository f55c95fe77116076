import type { Insertable, Kysely } from 'kysely';
import type { Database, MailboxTable } from '../state/schema.js';

/** One mailbox to put straight into a test programme: where from, where to, its day and first step. */
export interface ScheduledMailbox {
  address: string;
  source: { endpoint: string; user: string };
  target: { endpoint: string; user: string };
  day: string;
  due: { step: 'prestage' | 'delta' | 'final'; dueAt: string };
  /** Further columns (logins as discovered, say). */
  extra?: Partial<Insertable<MailboxTable>>;
}

/** Inserts a scheduled mailbox whose first step is due, as plan would leave it (admin logins: no secrets). */
export async function insertScheduledMailbox(db: Kysely<Database>, m: ScheduledMailbox): Promise<void> {
  await db
    .insertInto('mailbox')
    .values({
      address: m.address,
      organisation: null,
      source_endpoint: m.source.endpoint,
      source_user: m.source.user,
      source_secret: null,
      target_endpoint: m.target.endpoint,
      target_user: m.target.user,
      target_secret: null,
      notify_address: m.address,
      state: 'scheduled',
      batch_day: m.day,
      next_step: m.due.step,
      next_due_at: m.due.dueAt,
      ...m.extra,
    })
    .execute();
}
