import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { LifecycleStep } from '../mailbox/mailbox-states.js';
import type { Database } from '../schema.js';

/** The mailbox a pass is opened for: its address and the endpoints it copies between. */
export interface PassMailbox {
  address: string;
  source_endpoint: string;
  target_endpoint: string;
}

/**
 * Opens the record of a pass; returns its id. A pass of the mailbox still open is closed first as
 * interrupted: its worker died (the caller holds the lease now, so no one else is running it).
 */
export async function openPass(
  db: Kysely<Database>,
  mailbox: PassMailbox,
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
