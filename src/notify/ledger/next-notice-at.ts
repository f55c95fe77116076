import type { Kysely } from 'kysely';
import type { ProgrammeConfig } from '../../programme/config/config.js';
import { addDays, atTime } from '../../programme/calendar/calendar-day.js';
import type { Database } from '../../state/schema.js';
import { noticeDay, WAITING } from './queue-notices.js';

/** Whether any notice waits to be sent (now or at a retry). */
export async function hasPendingNotices(db: Kysely<Database>): Promise<boolean> {
  const row = await db
    .selectFrom('notice')
    .select('subject')
    .where('state', 'in', ['pending', 'sending'])
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The next moment a notice falls due after NOW: a pending notice's (retry) time, the next warning or
 * reminder moment, and, while the calendar has days ahead, the next digest. A runner with nothing to
 * copy sleeps (or a simulated clock jumps) until then, so notices go out on their own days.
 */
export async function nextNoticeAt(
  db: Kysely<Database>,
  config: ProgrammeConfig,
  now: Date,
): Promise<Date | undefined> {
  const notices = config.notices;
  const sendTime = notices?.digestTime ?? '00:00';
  const today = noticeDay(now, sendTime);
  const moments: Date[] = [];
  const pending = await db
    .selectFrom('notice')
    .select((eb) => eb.fn.min('due_at').as('at'))
    .where('state', '=', 'pending')
    .executeTakeFirst();
  if (pending?.at) moments.push(new Date(pending.at));
  const warn = await db
    .selectFrom('mailbox')
    .select((eb) => eb.fn.min('batch_day').as('day'))
    .where('state', 'in', WAITING)
    .where('told_day', 'is', null)
    .executeTakeFirst();
  const warningDays = notices?.warningDays ?? config.schedule.noticeDays;
  if (warn?.day) moments.push(atTime(addDays(warn.day, -warningDays), sendTime));
  if (notices) {
    const remind = await db
      .selectFrom('mailbox')
      .select((eb) => eb.fn.min('batch_day').as('day'))
      .where('state', 'in', WAITING)
      .where('batch_day', '>', addDays(today, notices.reminderDays))
      .executeTakeFirst();
    if (remind?.day) moments.push(atTime(addDays(remind.day, -notices.reminderDays), sendTime));
    const ahead = await db
      .selectFrom('mailbox')
      .select('address')
      .where('batch_day', '>=', today)
      .where('state', 'not in', ['done', 'failed'])
      .executeTakeFirst();
    if (ahead) moments.push(atTime(addDays(today, 1), sendTime));
  }
  const future = moments.filter((m) => m.getTime() > now.getTime()).sort((a, b) => a.getTime() - b.getTime());
  return future[0];
}
