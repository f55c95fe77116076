import type { Kysely } from 'kysely';
import type { Database } from '../state/schema.js';
import { organisationCodes, type OrganisationFilter } from './organisation-filter.js';

/** How many addresses and reasons a kind of skipped item shows. */
const SHOWN = 3;

/** The skipped items of one kind over the programme (of one organisation, when given). */
export interface SkippedGroup {
  /** unreadable-at-source, refused-by-target, folder-unreadable-at-source, folder-refused-by-target, altered-by-target (a warning). */
  kind: string;
  items: number;
  mailboxes: number;
  /** The commonest reasons, most frequent first. */
  reasons: { reason: string; count: number }[];
  /** The first few addresses with such items, in address order. */
  examples: string[];
}

/**
 * What could not be moved, by kind: the failures report's second half, beside the failed
 * mailboxes. Counted in SQL over the skipped items (a handful per damaged mailbox).
 */
export async function skippedGroups(
  db: Kysely<Database>,
  organisation?: OrganisationFilter,
): Promise<SkippedGroup[]> {
  // Every skipped item's mailbox exists (a foreign key), so the whole programme's items are counted
  // without a join: at 2.1M mailboxes the join cost 20-40 ms a query on PostgreSQL.
  const items = () =>
    db
      .selectFrom('skipped_item')
      .$if(organisation !== undefined, (q) =>
        q.where('skipped_item.mailbox', 'in', (eb) =>
          eb
            .selectFrom('mailbox')
            .select('mailbox.address')
            .where('mailbox.organisation', 'in', organisationCodes(organisation!)),
        ),
      );
  const kinds = await items()
    .select((eb) => [
      'skipped_item.kind',
      eb.fn.countAll().as('n'),
      eb.fn.count('skipped_item.mailbox').distinct().as('mailboxes'),
    ])
    .groupBy('skipped_item.kind')
    .orderBy('n', 'desc')
    .execute();
  return Promise.all(
    kinds.map(async (k): Promise<SkippedGroup> => {
      const [reasons, examples] = await Promise.all([
        items()
          .where('skipped_item.kind', '=', k.kind)
          .select(['skipped_item.reason', (eb) => eb.fn.countAll().as('n')])
          .groupBy('skipped_item.reason')
          .orderBy('n', 'desc')
          .orderBy('skipped_item.reason')
          .limit(SHOWN)
          .execute(),
        items()
          .where('skipped_item.kind', '=', k.kind)
          .select('skipped_item.mailbox')
          .distinct()
          .orderBy('skipped_item.mailbox')
          .limit(SHOWN)
          .execute(),
      ]);
      return {
        kind: k.kind,
        items: Number(k.n),
        mailboxes: Number(k.mailboxes),
        reasons: reasons.map((r) => ({ reason: r.reason, count: Number(r.n) })),
        examples: examples.map((e) => e.mailbox),
      };
    }),
  );
}
