import type { Kysely } from 'kysely';
import type { Database } from '../state/schema.js';
import type { ProgrammeConfig } from '../programme/config/config.js';
import { MAILBOX_STATES } from '../programme/lifecycle/mailbox-state.js';
import { eta, type Eta } from './eta.js';
import { failureGroups, type FailureGroup } from './failure-groups.js';
import { setAsideTotals, type SetAsideTotals } from './set-aside-totals.js';
import { stateTotals } from './state-totals.js';
import { throughput, type Throughput } from './throughput.js';
import { organisationLabel, type OrganisationFilter } from './organisation-filter.js';

/** A programme's figures (or one organisation's in it) at a moment of the programme clock. */
export interface ProgrammeSummary {
  programme: string;
  /** The organisation the figures are restricted to (several: their codes, joined by ', '); null for the whole programme. */
  organisation: string | null;
  /** The moment the figures are for (ISO timestamp, programme clock). */
  now: string;
  mailboxes: number;
  /** Mailboxes by state, in lifecycle order (every state, zero included; any other state after). */
  states: Record<string, number>;
  /** done / (done + failed); null while neither has happened. */
  successRate: number | null;
  /** The done mailboxes: moved whole, and moved with skipped items (each item named in the mailbox's report). */
  moved: { whole: number; withSkipped: number };
  failures: FailureGroup[];
  /** Copied so far over every mailbox's passes, and the items the target refused. */
  /** Items per kind written so far (mail messages, calendar items, contacts), bytes of mail, skipped items. */
  copied: { messages: number; bytes: number; calendarItems: number; contacts: number; skippedItems: number };
  throughput: Throughput;
  eta: Eta;
  /** Held (counted in their state too) and excluded (counted in no state, nor as failed) mailboxes. */
  setAside: SetAsideTotals;
}

/**
 * The programme's status at NOW (programme clock; see programmeNow): counts by state, success rate,
 * failures by type, throughput and ETA, restricted to one organisation (or several) when given. Every figure is
 * aggregated in SQL, so a programme of millions of mailboxes is never read into memory.
 */
export async function programmeSummary(
  db: Kysely<Database>,
  config: ProgrammeConfig,
  now: Date,
  organisation?: OrganisationFilter,
): Promise<ProgrammeSummary> {
  const [totals, failures, pace, setAside] = await Promise.all([
    stateTotals(db, organisation),
    failureGroups(db, organisation),
    throughput(db, now, organisation),
    setAsideTotals(db, organisation),
  ]);
  const states: Record<string, number> = Object.fromEntries(MAILBOX_STATES.map((s) => [s, 0]));
  for (const t of totals) states[t.state] = t.mailboxes;
  const done = states.done ?? 0;
  const failed = states.failed ?? 0;
  const doneWithSkipped = totals.find((t) => t.state === 'done')?.withSkipped ?? 0;
  const sum = (f: (t: (typeof totals)[number]) => number): number => totals.reduce((n, t) => n + f(t), 0);
  return {
    programme: config.name,
    organisation: organisation === undefined ? null : organisationLabel(organisation),
    now: now.toISOString(),
    mailboxes: sum((t) => t.mailboxes),
    states,
    successRate: done + failed === 0 ? null : done / (done + failed),
    moved: { whole: done - doneWithSkipped, withSkipped: doneWithSkipped },
    failures,
    copied: {
      messages: sum((t) => t.copiedMessages),
      bytes: sum((t) => t.copiedBytes),
      calendarItems: sum((t) => t.copiedCalendarItems),
      contacts: sum((t) => t.copiedContacts),
      skippedItems: sum((t) => t.skippedItems),
    },
    throughput: pace,
    eta: eta(totals, now, pace.mailboxesPerDay),
    setAside,
  };
}
