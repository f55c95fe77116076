import type { Kysely } from 'kysely';
import { TrancheError } from '../errors/tranche-error.js';
import type { Database } from '../state/schema.js';
import type { ProgrammeConfig } from '../programme/config/config.js';
import { dayCalendar, type CalendarDay } from './day-calendar.js';
import { programmeSummary, type ProgrammeSummary } from './programme-summary.js';
import { organisationCodes, type OrganisationFilter } from './organisation-filter.js';

/** One organisation: who it is, its figures (as for the programme) and its days. */
export interface OrganisationSummary {
  code: string;
  name: string;
  pilot: boolean;
  adminContacts: string[];
  blackoutDates: string[];
  summary: ProgrammeSummary;
  days: CalendarDay[];
}

/** One organisation's line in the table of all of them. */
export interface OrganisationRow {
  code: string;
  name: string;
  total: number;
  done: number;
  failed: number;
  /** The earliest day of a mailbox not yet done or failed; null when none is left (or none planned). */
  nextDay: string | null;
}

const list = (text: string): string[] =>
  text
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);

/** Checks that the organisation CODE is in the programme: an unknown code is a usage error. */
export async function requireOrganisation(db: Kysely<Database>, code: string): Promise<void> {
  const org = await db.selectFrom('organisation').select('code').where('code', '=', code).executeTakeFirst();
  if (!org) throw new TrancheError('usage', `no organisation ${code} in this programme`);
}

/** The organisation CODE's status at NOW; an unknown code is a usage error. */
export async function organisationSummary(
  db: Kysely<Database>,
  config: ProgrammeConfig,
  code: string,
  now: Date,
): Promise<OrganisationSummary> {
  const org = await db
    .selectFrom('organisation')
    .select(['code', 'name', 'pilot', 'admin_contacts', 'blackout_dates'])
    .where('code', '=', code)
    .executeTakeFirst();
  if (!org) throw new TrancheError('usage', `no organisation ${code} in this programme`);
  const [summary, days] = await Promise.all([
    programmeSummary(db, config, now, org.code),
    dayCalendar(db, config.schedule, { organisation: org.code }),
  ]);
  return {
    code: org.code,
    name: org.name,
    pilot: Boolean(org.pilot),
    adminContacts: list(org.admin_contacts),
    blackoutDates: list(org.blackout_dates),
    summary,
    days,
  };
}

/** Every organisation (or the ones given) with its counts, by code: one GROUP BY over the mailbox table. */
export async function organisationTable(
  db: Kysely<Database>,
  organisation?: OrganisationFilter,
): Promise<OrganisationRow[]> {
  const counts = db
    .selectFrom('mailbox')
    .select((eb) => [
      'organisation',
      eb.fn.countAll().as('total'),
      eb.fn.sum(eb.case().when('state', '=', 'done').then(1).else(0).end()).as('done'),
      eb.fn.sum(eb.case().when('state', '=', 'failed').then(1).else(0).end()).as('failed'),
      eb.fn
        .min(eb.case().when('state', 'not in', ['done', 'failed']).then(eb.ref('batch_day')).end())
        .as('next_day'),
    ])
    .$if(organisation !== undefined, (q) => q.where('organisation', 'in', organisationCodes(organisation!)))
    .groupBy('organisation')
    .as('m');
  const rows = await db
    .selectFrom('organisation as o')
    .leftJoin(counts, 'm.organisation', 'o.code')
    .select(['o.code', 'o.name', 'm.total', 'm.done', 'm.failed', 'm.next_day'])
    .$if(organisation !== undefined, (q) => q.where('o.code', 'in', organisationCodes(organisation!)))
    .orderBy('o.code')
    .execute();
  return rows.map((r) => ({
    code: r.code,
    name: r.name,
    total: Number(r.total ?? 0),
    done: Number(r.done ?? 0),
    failed: Number(r.failed ?? 0),
    nextDay: r.next_day ?? null,
  }));
}
