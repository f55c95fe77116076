import type { Kysely } from 'kysely';
import type { Database } from '../state/schema.js';

/** A notice of one mailbox, as the helpdesk reads it: what, about which day, where it stands. */
export interface MailboxNotice {
  kind: string;
  day: string;
  /** pending, sending, sent, failed or cancelled. */
  state: string;
  dueAt: string;
  sentAt: string | null;
  recipients: string | null;
  error: string | null;
}

/** The notice ledger's rows about the mailbox ADDRESS, oldest first (read through the ledger's key). */
export async function mailboxNotices(db: Kysely<Database>, address: string): Promise<MailboxNotice[]> {
  const rows = await db
    .selectFrom('notice')
    .select(['kind', 'day', 'state', 'due_at', 'sent_at', 'recipients', 'error'])
    .where('subject', '=', address)
    .orderBy('due_at')
    .orderBy('kind')
    .execute();
  return rows.map((r) => ({
    kind: r.kind,
    day: r.day,
    state: r.state,
    dueAt: r.due_at,
    sentAt: r.sent_at,
    recipients: r.recipients,
    error: r.error,
  }));
}
