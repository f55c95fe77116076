import type { Kysely } from 'kysely';
import type { Database } from '../state/schema.js';
import { failureLabel } from '../programme/lifecycle/failure-labels.js';
import { organisationCodes, type OrganisationFilter } from './organisation-filter.js';

/** How many of a failure type's commonest reasons, and of its addresses, a report shows. */
const SHOWN = 3;

/** Failed mailboxes of one failure type: how many, the commonest reasons, a few addresses. */
export interface FailureGroup {
  /** A TrancheError type (auth, quota, …), or 'unknown' when the runner recorded none. */
  type: string;
  /** The type in plain words. */
  label: string;
  count: number;
  /** The commonest reasons (the server's or engine's words), most frequent first. */
  reasons: { reason: string; count: number }[];
  /** The first few addresses, in address order. */
  examples: string[];
}

/**
 * The failed mailboxes (of one organisation, when given), grouped by failure type, largest group
 * first. Counted in SQL: a type's reasons and examples are one small query each, and the types are a
 * closed set, so this stays cheap however many mailboxes failed.
 */
export async function failureGroups(
  db: Kysely<Database>,
  organisation?: OrganisationFilter,
): Promise<FailureGroup[]> {
  const failed = () =>
    db
      .selectFrom('mailbox')
      .where('state', '=', 'failed')
      .$if(organisation !== undefined, (q) =>
        q.where('organisation', 'in', organisationCodes(organisation!)),
      );
  const types = await failed()
    .select(['failure_type', (eb) => eb.fn.countAll().as('n')])
    .groupBy('failure_type')
    .execute();
  const groups = await Promise.all(
    types.map(async ({ failure_type: type, n }): Promise<FailureGroup> => {
      const ofType = () =>
        failed().where((eb) =>
          type === null ? eb('failure_type', 'is', null) : eb('failure_type', '=', type),
        );
      const [reasons, examples] = await Promise.all([
        ofType()
          .select(['failure_reason', (eb) => eb.fn.countAll().as('n')])
          .groupBy('failure_reason')
          .orderBy('n', 'desc')
          .orderBy('failure_reason')
          .limit(SHOWN)
          .execute(),
        ofType().select('address').orderBy('address').limit(SHOWN).execute(),
      ]);
      return {
        type: type ?? 'unknown',
        label: failureLabel(type ?? 'unknown'),
        count: Number(n),
        reasons: reasons.map((r) => ({ reason: r.failure_reason ?? '', count: Number(r.n) })),
        examples: examples.map((e) => e.address),
      };
    }),
  );
  return groups.sort((a, b) => b.count - a.count || a.type.localeCompare(b.type));
}
