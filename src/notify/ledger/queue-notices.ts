import { sql, type Kysely } from 'kysely';
import type { ProgrammeConfig } from '../../programme/config/config.js';
import { addDays, dayOf } from '../../programme/calendar/calendar-day.js';
import { WAITING_STATES } from '../../state/mailbox/mailbox-states.js';
import { recordTold } from '../../state/mailbox/record-told.js';
import type { Database } from '../../state/schema.js';
import type { NoticeKind } from '../notice-kind.js';

/** States in which a user is waiting for their day. */
export const WAITING = WAITING_STATES;

/** Milliseconds since midnight of HH:MM. */
const offsetOf = (time: string): number => {
  const [h, m] = time.split(':').map(Number);
  return ((h ?? 0) * 60 + (m ?? 0)) * 60_000;
};

/** The programme day as seen from the daily send time: before it, today's notices are not due yet. */
export function noticeDay(now: Date, sendTime: string): string {
  return dayOf(new Date(now.getTime() - offsetOf(sendTime)));
}

/** One notice into the ledger, once: a second call for the same (subject, kind, day) does nothing. */
export async function queueNotice(
  db: Kysely<Database>,
  notice: { subject: string; kind: NoticeKind; day: string; organisation: string | null },
  now: Date,
): Promise<void> {
  await db
    .insertInto('notice')
    .values({ ...notice, due_at: now.toISOString(), created_at: now.toISOString() })
    .onConflict((oc) => oc.columns(['subject', 'kind', 'day']).doNothing())
    .execute();
}

/** Every waiting mailbox matching WHERE gets a notice of KIND for its day (once). */
async function queueFor(
  db: Kysely<Database>,
  kind: NoticeKind,
  now: Date,
  where: (q: ReturnType<typeof waiting>) => ReturnType<typeof waiting>,
): Promise<void> {
  const at = now.toISOString();
  await db
    .insertInto('notice')
    .columns(['subject', 'kind', 'day', 'organisation', 'due_at', 'created_at'])
    .expression(
      where(waiting(db)).select((eb) => [
        'address',
        eb.val(kind).as('kind'),
        'batch_day',
        'organisation',
        eb.val(at).as('due_at'),
        eb.val(at).as('created_at'),
      ]),
    )
    // A notice cancelled because it was no longer true (held, moved away) is owed again once it is.
    .onConflict((oc) =>
      oc
        .columns(['subject', 'kind', 'day'])
        .doUpdateSet({ state: 'pending', due_at: at, attempts: 0, error: null })
        .where('notice.state', '=', 'cancelled'),
    )
    .execute();
}

const waiting = (db: Kysely<Database>) =>
  db.selectFrom('mailbox').where('state', 'in', WAITING).where('batch_day', 'is not', null);

/**
 * The calendar's notices as they fall due (at the daily send time, programme clock): a rescheduled
 * notice at once for a told user a re-plan moved, the warning `warningDays` before the day, the
 * reminder `reminderDays` before. Telling a user records told_day, which is what makes a later re-plan
 * keep their day. Without a notices section nothing is queued, but the warning moment still counts as
 * telling (the programme tells its users some other way).
 */
export async function queueCalendarNotices(
  db: Kysely<Database>,
  config: ProgrammeConfig,
  now: Date,
): Promise<number> {
  const notices = config.notices;
  const today = notices ? noticeDay(now, notices.digestTime) : dayOf(now);
  const warnBy = addDays(today, notices?.warningDays ?? config.schedule.noticeDays);
  return db.transaction().execute(async (tx) => {
    if (notices) {
      await queueFor(tx, 'rescheduled', now, (q) => q.where('rescheduled_from', 'is not', null));
      await queueFor(tx, 'warning', now, (q) =>
        q
          .where('told_day', 'is', null)
          .where('rescheduled_from', 'is', null)
          .where('batch_day', '<=', warnBy),
      );
    }
    const told = await recordTold(tx, warnBy);
    if (notices) {
      const remindBy = addDays(today, notices.reminderDays);
      await queueFor(tx, 'reminder', now, (q) =>
        q.whereRef('told_day', '=', 'batch_day').where('batch_day', '<=', remindBy),
      );
    }
    return told;
  });
}

/**
 * Each organisation's daily digest for its admins, at the send time: one per organisation with moves
 * yesterday, today or in the coming week.
 */
export async function queueDigests(db: Kysely<Database>, config: ProgrammeConfig, now: Date): Promise<void> {
  if (!config.notices) return;
  const today = noticeDay(now, config.notices.digestTime);
  const at = now.toISOString();
  await db
    .insertInto('notice')
    .columns(['subject', 'kind', 'day', 'organisation', 'due_at', 'created_at'])
    .expression(
      db
        .selectFrom('mailbox')
        .where('organisation', 'is not', null)
        .where('batch_day', '>=', addDays(today, -1))
        .where('batch_day', '<=', addDays(today, 7))
        .select((eb) => [
          sql<string>`${sql.lit('org:')} || ${eb.ref('organisation')}`.as('subject'),
          eb.val('digest').as('kind'),
          eb.val(today).as('day'),
          'organisation',
          eb.val(at).as('due_at'),
          eb.val(at).as('created_at'),
        ])
        .distinct(),
    )
    .onConflict((oc) => oc.columns(['subject', 'kind', 'day']).doNothing())
    .execute();
}
