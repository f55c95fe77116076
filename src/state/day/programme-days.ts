import type { Kysely, Selectable } from 'kysely';
import type { Database, ProgrammeDayTable } from '../schema.js';

/** A day people closed or gave another capacity. */
export type ProgrammeDay = Selectable<ProgrammeDayTable>;

/** Every day with a change from the schedule, by ISO date. */
export async function readProgrammeDays(db: Kysely<Database>): Promise<Map<string, ProgrammeDay>> {
  const rows = await db.selectFrom('programme_day').selectAll().execute();
  return new Map(rows.map((r) => [r.day, r]));
}

/** Sets what people decided about DAY (closed, or another capacity); a day back to the schedule's is removed. */
export async function setProgrammeDay(
  db: Kysely<Database>,
  day: string,
  change: { closed: boolean; mailboxes: number | null; bytes: number | null; reason: string | null },
): Promise<void> {
  if (!change.closed && change.mailboxes === null && change.bytes === null) {
    await db.deleteFrom('programme_day').where('day', '=', day).execute();
    return;
  }
  const row = {
    closed: change.closed ? 1 : 0,
    mailboxes: change.mailboxes,
    bytes: change.bytes,
    reason: change.reason,
  };
  await db
    .insertInto('programme_day')
    .values({ day, ...row })
    .onConflict((oc) => oc.column('day').doUpdateSet(row))
    .execute();
}
