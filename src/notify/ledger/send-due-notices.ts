import type { Kysely, Selectable } from 'kysely';
import { retryDelay } from '../../errors/retry-delay.js';
import { toTrancheError } from '../../errors/tranche-error.js';
import type { Logger } from '../../log/logger.js';
import type { ProgrammeConfig } from '../../programme/config/config.js';

import { leaseRanOut } from '../../state/lease-condition.js';
import { isGoneLocally, localOwnerPrefix } from '../../state/lease-owner.js';
import type { Database, NoticeTable } from '../../state/schema.js';
import type { NoticeChannel } from '../channel.js';
import type { NoticeKind } from '../notice-kind.js';
import type { NoticeTemplates } from '../templates/notice-templates.js';
import { digestVariables, mailboxNoticeVariables } from '../notice-variables.js';
import { noticeMessageId } from './notice-message-id.js';

/** Tries of a notice that fails retryably before it is given up (state failed). */
const ATTEMPTS = 6;
/** A notice not sent is tried again from five minutes on, doubling, never more than six hours apart. */
const NOTICE_RETRY = { baseMs: 5 * 60_000, maxMs: 6 * 3_600_000 };
/** How long a sender holds a notice it is sending (real time); a crashed sender's notices come back after. */
const LEASE_MS = 5 * 60_000;

/** What one round of sending did. */
export interface SendTotals {
  sent: number;
  retry: number;
  failed: number;
  cancelled: number;
}

/** Everything the sender works with. */
export interface NoticeSender {
  db: Kysely<Database>;
  config: ProgrammeConfig;
  templates: NoticeTemplates;
  channel: NoticeChannel;
  logger: Logger;
  /** The lease owner (the runner's id). */
  owner: string;
}

type Notice = Selectable<NoticeTable>;

/** Whether the notice still tells the truth, and whom it goes to; a reason when it should not go. */
async function addressees(
  db: Kysely<Database>,
  config: ProgrammeConfig,
  notice: Notice,
): Promise<{ to: string[] } | { cancel: string }> {
  const kind = notice.kind as NoticeKind;
  const helpdesk = config.notices?.helpdesk.address;
  const contacts = async (code: string | null): Promise<string[]> => {
    if (!code) return [];
    const org = await db
      .selectFrom('organisation')
      .select('admin_contacts')
      .where('code', '=', code)
      .executeTakeFirst();
    return (org?.admin_contacts ?? '').split(/[;\s]+/).filter(Boolean);
  };
  if (kind === 'digest') {
    const to = await contacts(notice.organisation);
    return to.length > 0 ? { to } : { cancel: 'the organisation has no admin contacts' };
  }
  const m = await db
    .selectFrom('mailbox')
    .select(['state', 'batch_day', 'notify_address', 'target_user', 'address', 'organisation'])
    .where('address', '=', notice.subject)
    .executeTakeFirst();
  if (!m) return { cancel: 'the mailbox is no longer in the programme' };
  if (m.batch_day !== notice.day) return { cancel: `the day changed (now ${m.batch_day ?? 'none'})` };
  switch (kind) {
    case 'success':
      return m.state === 'done'
        ? { to: [/^[^@\s]+@[^@\s]+$/.test(m.target_user) ? m.target_user : m.address] }
        : { cancel: `the mailbox is ${m.state}, not done` };
    case 'failure': {
      if (m.state !== 'failed') return { cancel: `the mailbox is ${m.state}, not failed` };
      const to = [...(await contacts(m.organisation)), ...(helpdesk ? [helpdesk] : [])];
      return to.length > 0
        ? { to: [...new Set(to)] }
        : { cancel: 'no organisation admin or helpdesk address' };
    }
    default:
      return ['scheduled', 'prestaged'].includes(m.state)
        ? { to: [m.notify_address] }
        : { cancel: `the mailbox is ${m.state}` };
  }
}

/** Takes a due notice for this sender: pending ones, and ones a crashed sender left mid-send. */
async function claim(db: Kysely<Database>, notice: Notice, owner: string): Promise<boolean> {
  const real = new Date().toISOString();
  const result = await db
    .updateTable('notice')
    .set({ state: 'sending', lease_owner: owner, lease_until: new Date(Date.now() + LEASE_MS).toISOString() })
    .where('subject', '=', notice.subject)
    .where('kind', '=', notice.kind)
    .where('day', '=', notice.day)
    .where((eb) =>
      eb.or([eb('state', '=', 'pending'), eb.and([eb('state', '=', 'sending'), leaseRanOut(real)])]),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Sends the notices that are due (at most LIMIT): each is claimed under a lease, checked to still be
 * true (a moved or removed user's notice is cancelled, not sent), rendered, sent with its deterministic
 * Message-ID and marked sent. Failures that may pass are retried with back-off; others fail the notice.
 */
export async function sendDueNotices(sender: NoticeSender, now: Date, limit = 50): Promise<SendTotals> {
  const { db, config } = sender;
  const totals: SendTotals = { sent: 0, retry: 0, failed: 0, cancelled: 0 };
  if (!config.notices) return totals;
  const due = await db
    .selectFrom('notice')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb.and([eb('state', '=', 'pending'), eb('due_at', '<=', now.toISOString())]),
        eb.and([eb('state', '=', 'sending'), leaseRanOut(new Date().toISOString())]),
      ]),
    )
    .orderBy('due_at')
    .limit(limit)
    .execute();
  for (const notice of due) {
    if (!(await claim(db, notice, sender.owner))) continue;
    const key = db
      .updateTable('notice')
      .where('subject', '=', notice.subject)
      .where('kind', '=', notice.kind)
      .where('day', '=', notice.day);
    const log = sender.logger.child({ notice: notice.kind, subject: notice.subject, day: notice.day });
    try {
      const target = await addressees(db, config, notice);
      if ('cancel' in target) {
        await key
          .set({ state: 'cancelled', error: target.cancel, lease_owner: null, lease_until: null })
          .execute();
        totals.cancelled++;
        continue;
      }
      const kind = notice.kind as NoticeKind;
      const variables =
        kind === 'digest'
          ? await digestVariables(db, config, notice.organisation ?? '', notice.day)
          : await mailboxNoticeVariables(db, config, notice.subject, kind);
      const rendered = sender.templates.render(kind, variables, notice.organisation ?? undefined);
      const messageId = noticeMessageId(config.notices.from, notice.subject, notice.kind, notice.day);
      await key.set({ message_id: messageId, recipients: target.to.join(', ') }).execute();
      await sender.channel.send({ messageId, from: config.notices.from, to: target.to, ...rendered });
      await key
        .set({ state: 'sent', sent_at: now.toISOString(), error: null, lease_owner: null, lease_until: null })
        .execute();
      totals.sent++;
      log.info({ to: target.to.length }, 'notice sent');
    } catch (error) {
      const typed = toTrancheError(error);
      const attempts = notice.attempts + 1;
      const retry = typed.retryable && attempts < ATTEMPTS;
      const delay = retryDelay(NOTICE_RETRY, attempts, typed.retryAfterMs);
      await key
        .set({
          state: retry ? 'pending' : 'failed',
          attempts,
          due_at: new Date(now.getTime() + delay).toISOString(),
          error: `${typed.type}: ${typed.message}`,
          lease_owner: null,
          lease_until: null,
        })
        .execute();
      totals[retry ? 'retry' : 'failed']++;
      log.warn({ type: typed.type, err: typed, attempts, retry }, 'notice not sent');
    }
  }
  return totals;
}

/**
 * Notices a sender of this host left mid-send when it died go back to pending at once (their outcome
 * is unknown: sent again, with the same Message-ID). Other hosts' leases run out.
 */
export async function releaseDeadLocalNotices(db: Kysely<Database>, self: string): Promise<number> {
  const held = await db
    .selectFrom('notice')
    .select(['subject', 'kind', 'day', 'lease_owner'])
    .where('state', '=', 'sending')
    .where('lease_owner', 'like', `${localOwnerPrefix()}%`)
    .execute();
  const dead = held.filter((n) => isGoneLocally(n.lease_owner!, self));
  for (const n of dead) {
    await db
      .updateTable('notice')
      .set({ state: 'pending', lease_owner: null, lease_until: null })
      .where('subject', '=', n.subject)
      .where('kind', '=', n.kind)
      .where('day', '=', n.day)
      .where('lease_owner', '=', n.lease_owner)
      .execute();
  }
  return dead.length;
}
