import type { Kysely } from 'kysely';
import type { Database } from '../state/schema.js';

/**
 * "Now" on the programme clock, when the caller gives none. Pass rows and lifecycle columns carry
 * programme time, which in a demo or a rehearsal is a simulated clock running days per second, far
 * ahead of the machine's clock; reading throughput against the machine's clock would then find
 * nothing in "the last 24 hours". The latest finished pass is the freshest evidence of programme
 * time, and the real clock wins once it is later (a live programme, or one that has stopped), so an
 * idle programme's throughput falls to zero instead of freezing at its last figure. A caller that
 * knows the clock (the runner, `tranche status --now`) passes it instead.
 */
export async function programmeNow(db: Kysely<Database>, realNow: Date = new Date()): Promise<Date> {
  const row = await db
    .selectFrom('pass')
    .select((eb) => eb.fn.max('finished_at').as('latest'))
    .executeTakeFirst();
  const latest = row?.latest ? new Date(row.latest) : undefined;
  return latest && latest.getTime() > realNow.getTime() ? latest : realNow;
}
