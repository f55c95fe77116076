import type { Kysely } from 'kysely';
import type { Database } from '../state/schema.js';

import type { MailboxState } from '../state/mailbox/mailbox-states.js';
import { mailboxPage, type MailboxLine, type MailboxPage } from './mailbox-page.js';
import type { OrganisationFilter } from './organisation-filter.js';

/** A mailbox as a day's list shows it. */
export type DayMailbox = MailboxLine;

/** Which of a day's mailboxes to list, a page at a time. */
export interface DayMailboxOptions {
  organisation?: OrganisationFilter;
  state?: MailboxState;
  /** Start after this address (the last one of the previous page). */
  after?: string;
  limit: number;
}

/** A page of a day's mailboxes, in address order. */
export type DayMailboxPage = MailboxPage<DayMailbox>;

/** The mailboxes planned for DAY, a page at a time (keyset paging on the address). */
export function dayMailboxes(
  db: Kysely<Database>,
  day: string,
  options: DayMailboxOptions,
): Promise<DayMailboxPage> {
  const { organisation, state, after, limit } = options;
  return mailboxPage(db, { day, organisation, state }, { after, limit });
}
