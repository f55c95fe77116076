import type { Kysely } from 'kysely';
import type { Database } from '../state/schema.js';
import { organisationCodes, type OrganisationFilter } from './organisation-filter.js';

/** Mailboxes people set aside: held (until released) and excluded (never migrated). */
export interface SetAsideTotals {
  held: number;
  excluded: number;
}

/** How many mailboxes are held and excluded (of one organisation or several, when given); each on its index. */
export async function setAsideTotals(
  db: Kysely<Database>,
  organisation?: OrganisationFilter,
): Promise<SetAsideTotals> {
  const countWhere = async (column: 'hold_reason' | 'exclude_reason'): Promise<number> => {
    const row = await db
      .selectFrom('mailbox')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where(column, 'is not', null)
      .$if(organisation !== undefined, (q) => q.where('organisation', 'in', organisationCodes(organisation!)))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  const [held, excluded] = await Promise.all([countWhere('hold_reason'), countWhere('exclude_reason')]);
  return { held, excluded };
}
