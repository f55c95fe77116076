import type { Kysely } from 'kysely';
import { TrancheError } from '../errors/tranche-error.js';
import type { ProgrammeConfig } from '../programme/config/config.js';
import { addDays, isIsoDay } from '../programme/calendar/calendar-day.js';
import { failureLabel } from '../programme/lifecycle/failure-labels.js';
import type { Database } from '../state/schema.js';
import type { DigestEntry, NoticeKind, NoticeVariables } from './notice-kind.js';
import { WARNING_KINDS } from '../copy/sync-report.js';

/** Each of a digest's lists shows at most this many mailboxes. */
export const DIGEST_LIST_LIMIT = 200;
/** The digest's upcoming list: moves on the digest's day and the six after it. */
const UPCOMING_DAYS = 7;

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

const midnight = (isoDay: string): Date => new Date(`${isoDay}T00:00:00.000Z`);

/** An ISO date as people read it, e.g. 'Monday 18 January 2027' (UTC, the programme's days). */
export function formatNoticeDate(isoDay: string): string {
  const d = midnight(isoDay.slice(0, 10));
  return `${WEEKDAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** A failure in plain words: the type's label, then the servers' words ('login refused: target: …'). */
function failureReason(type: string | null, reason: string | null): string {
  if (type === null) return reason ?? failureLabel('unknown');
  return reason ? `${failureLabel(type)}: ${reason}` : failureLabel(type);
}

/** The name a notice greets: the display name, else the address's local part. */
function nameOf(displayName: string, address: string): string {
  const at = address.lastIndexOf('@');
  return displayName.trim() || (at > 0 ? address.slice(0, at) : address);
}

function helpdesk(
  config: ProgrammeConfig,
): Pick<NoticeVariables, 'helpdeskName' | 'helpdeskAddress' | 'helpdeskPhone'> {
  const desk = config.notices?.helpdesk;
  return {
    helpdeskName: desk?.name ?? '',
    helpdeskAddress: desk?.address ?? '',
    helpdeskPhone: desk?.phone ?? '',
  };
}

function requireIsoDay(day: string, what: string): void {
  if (!isIsoDay(day))
    throw new TrancheError('usage', `${what} must be a date such as 2027-03-04, not '${day}'`);
}

/** Extra facts a mailbox notice may need beyond the mailbox row. */
export interface MailboxNoticeExtra {
  /** Rescheduled: the day the user had been told (ISO date); default the mailbox's rescheduled-from day. */
  previousDay?: string;
  /** Failure: the reason in words; default the mailbox's last failure with its plain-words label. */
  reason?: string;
}

/**
 * The variables of KIND's notice about the mailbox ADDRESS (any case), from its row, its
 * organisation and the configuration. An address not in the programme is a usage error.
 */
export async function mailboxNoticeVariables(
  db: Kysely<Database>,
  config: ProgrammeConfig,
  address: string,
  kind: Exclude<NoticeKind, 'digest'>,
  extra: MailboxNoticeExtra = {},
): Promise<NoticeVariables> {
  // Named columns only: the sealed passwords are never read here.
  const m = await db
    .selectFrom('mailbox')
    .leftJoin('organisation', 'organisation.code', 'mailbox.organisation')
    .select([
      'mailbox.address',
      'mailbox.organisation',
      'organisation.name as organisation_name',
      'mailbox.display_name',
      'mailbox.target_user',
      'mailbox.notify_address',
      'mailbox.batch_day',
      'mailbox.rescheduled_from',
      'mailbox.failure_type',
      'mailbox.failure_reason',
    ])
    .where('mailbox.address', '=', address.trim().toLowerCase())
    .executeTakeFirst();
  if (!m) throw new TrancheError('usage', `no mailbox ${address} in this programme`);
  if (extra.previousDay !== undefined) requireIsoDay(extra.previousDay, 'the previous day');
  const variables: NoticeVariables = {
    programme: config.name,
    organisation: m.organisation_name ?? '',
    organisationCode: m.organisation ?? '',
    ...helpdesk(config),
    name: nameOf(m.display_name, m.address),
    oldAddress: m.notify_address,
    newAddress: /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(m.target_user) ? m.target_user : m.address,
    date: m.batch_day ? formatNoticeDate(m.batch_day) : '',
    isoDate: m.batch_day ?? '',
    cutoverTime: `${config.lifecycle.cutoverTime} UTC`,
  };
  if (kind === 'rescheduled') {
    const previous = extra.previousDay ?? m.rescheduled_from;
    variables.previousDate = previous ? formatNoticeDate(previous) : '';
  }
  if (kind === 'success') {
    // Messages and folders not moved; a warning (altered-by-target, keywords-not-kept) was moved.
    const skipped = await db
      .selectFrom('skipped_item')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('mailbox', '=', m.address)
      .where('kind', 'not in', WARNING_KINDS)
      .executeTakeFirstOrThrow();
    if (Number(skipped.n) > 0) variables.skippedItems = Number(skipped.n);
  }
  if (kind === 'failure') variables.reason = extra.reason ?? failureReason(m.failure_type, m.failure_reason);
  return variables;
}

/**
 * The variables of organisation CODE's digest for DIGESTDATE (ISO date): mailboxes done on the day
 * before, failed on the day before (their last pass finished then), and planned from DIGESTDATE for
 * a week (soonest first), each list by address within a day and cut at DIGEST_LIST_LIMIT.
 */
export async function digestVariables(
  db: Kysely<Database>,
  config: ProgrammeConfig,
  organisationCode: string,
  digestDate: string,
): Promise<NoticeVariables> {
  requireIsoDay(digestDate, 'the digest date');
  const org = await db
    .selectFrom('organisation')
    .select(['code', 'name'])
    .where('code', '=', organisationCode)
    .executeTakeFirst();
  if (!org) throw new TrancheError('usage', `no organisation ${organisationCode} in this programme`);
  const yesterday = addDays(digestDate, -1);
  const from = midnight(yesterday).toISOString();
  const until = midnight(digestDate).toISOString();

  const mailboxes = db
    .selectFrom('mailbox')
    .select(['address', 'display_name', 'batch_day'])
    .where('organisation', '=', org.code);
  const [moved, failed, upcoming] = await Promise.all([
    mailboxes
      .where('state', '=', 'done')
      .where('done_at', '>=', from)
      .where('done_at', '<', until)
      .orderBy('address')
      .limit(DIGEST_LIST_LIMIT)
      .execute(),
    mailboxes
      .select(['failure_type', 'failure_reason'])
      .where('state', '=', 'failed')
      .where((eb) => {
        // No failed_at column: a mailbox fails as its pass fails, so its last pass dates it.
        const lastPass = eb
          .selectFrom('pass')
          .select((p) => p.fn.max('pass.finished_at').as('finished'))
          .whereRef('pass.mailbox', '=', 'mailbox.address');
        return eb.and([eb(lastPass, '>=', from), eb(lastPass, '<', until)]);
      })
      .orderBy('address')
      .limit(DIGEST_LIST_LIMIT)
      .execute(),
    mailboxes
      .where('state', 'not in', ['done', 'failed'])
      .where('batch_day', '>=', digestDate)
      .where('batch_day', '<', addDays(digestDate, UPCOMING_DAYS))
      .orderBy('batch_day')
      .orderBy('address')
      .limit(DIGEST_LIST_LIMIT)
      .execute(),
  ]);
  const entry = (
    m: { address: string; display_name: string; batch_day: string | null },
    reason = '',
  ): DigestEntry => ({
    address: m.address,
    name: nameOf(m.display_name, m.address),
    day: m.batch_day ? formatNoticeDate(m.batch_day) : '',
    reason,
  });
  return {
    programme: config.name,
    organisation: org.name,
    organisationCode: org.code,
    ...helpdesk(config),
    digestDate: formatNoticeDate(digestDate),
    moved: moved.map((m) => entry(m)),
    failed: failed.map((m) => entry(m, failureReason(m.failure_type, m.failure_reason))),
    upcoming: upcoming.map((m) => entry(m)),
  };
}
