import type { Kysely } from 'kysely';
import type { ProgrammeConfig } from '../config/config.js';
import { firstStep, stepAfter } from '../lifecycle/step-times.js';
import type { MailboxState } from '../lifecycle/mailbox-state.js';
import { recordAudit } from '../../state/audit/record-audit.js';
import type { Database } from '../../state/schema.js';
import { isoDate, NO_DAY } from './calendar-days.js';
import { readPlanMailboxes } from './read-plan-mailboxes.js';
import { readDayOverrides } from './day-overrides.js';
import { writePlan, type Change, type PlanChanges } from './write-plan.js';
import { needsWrite, OUTCOME, planBatches, STATUS, type Plan, type PlanMailboxes } from './plan-batches.js';

/** How to plan a programme. */
export interface PlanProgrammeOptions {
  /** The plan date (ISO); the notice period counts from it. */
  planDate: string;
  /** The programme clock: leases are live until after it, and first steps are due no sooner. */
  now: Date;
  /** Overrides schedule.seed. */
  seed: number | undefined;
  /** Re-place told users too (each whose day changes is owed a rescheduled notice). */
  force: boolean;
  /** Compute and report; write nothing. */
  dryRun: boolean;
  /** Who plans, for the audit trail (written in the plan's transaction); none: not recorded. */
  actor?: string;
}

/** A programme's plan: the planner's result with the mailboxes it covered, and what was written. */
export interface ProgrammePlan {
  plan: Plan;
  mailboxes: PlanMailboxes;
  /** The organisation codes the mailboxes' organisation column indexes. */
  organisationCodes: string[];
  seed: number;
  /** Mailboxes left alone: in cutover or done, or under a live lease. */
  untouched: number;
  /** Rows the plan changed in the store (0 on a dry run). */
  written: number;
  /** Rows to change that changed under the planner (a runner took them meanwhile) and were left alone. */
  skipped: number;
}

/** The state each mailbox has after the plan (the store's, once written). */
export function stateAfter(plan: Plan, m: PlanMailboxes, i: number): MailboxState {
  const status = m.status[i]!;
  const outcome = plan.outcome[i]!;
  if (outcome === OUTCOME.kept || outcome === OUTCOME.placed)
    return status === STATUS.prestaged ? 'prestaged' : 'scheduled';
  if (status === STATUS.failed) return 'failed';
  return 'imported';
}

/**
 * Plans the programme: reads the mailboxes it may touch (not cutover, done or leased), runs the
 * planner and, unless a dry run, writes every row whose day or state changes in one transaction.
 */
export async function planProgramme(
  db: Kysely<Database>,
  config: ProgrammeConfig,
  options: PlanProgrammeOptions,
): Promise<ProgrammePlan> {
  const nowIso = options.now.toISOString();
  const organisations = await db
    .selectFrom('organisation')
    .select(['code', 'pilot', 'blackout_dates'])
    .orderBy('code')
    .execute();
  const { mailboxes, untouched } = await readPlanMailboxes(db, organisations, nowIso);
  const seed = options.seed ?? config.schedule.seed;
  const dayOverrides = await readDayOverrides(db);
  const plan = planBatches({
    planDate: options.planDate,
    schedule: { ...config.schedule, seed },
    force: options.force,
    organisations: organisations.map((o) => ({
      code: o.code,
      pilot: Number(o.pilot) === 1,
      blackoutDates: o.blackout_dates.split(/[;\s]+/).filter(Boolean),
    })),
    mailboxes,
    dayOverrides,
  });
  const result: ProgrammePlan = {
    plan,
    mailboxes,
    organisationCodes: organisations.map((o) => o.code),
    seed,
    untouched,
    written: 0,
    skipped: 0,
  };
  if (options.dryRun) return result;
  const changes = planChanges(plan, mailboxes, config, options.now);
  result.written = await db.transaction().execute(async (trx) => {
    const written = await writePlan(trx, mailboxes.address, changes, nowIso);
    if (options.actor !== undefined) {
      const c = plan.counts;
      await recordAudit(trx, [
        {
          actor: options.actor,
          action: 'plan',
          subject: options.planDate,
          reason: options.force ? 'forced re-plan (told users moved)' : null,
          after: {
            placed: c.placed,
            kept: c.kept,
            moved: c.moved,
            unplaced: c.unplaced,
            pinned: plan.pinned,
            written,
          },
        },
      ]);
    }
    return written;
  });
  result.skipped = changes.rows.length - result.written;
  return result;
}

const STATE_OF: readonly MailboxState[] = ['imported', 'scheduled', 'prestaged', 'failed'];

/**
 * The rows a plan changes, in the order read (address order, so the writes sweep the table once):
 * placed rows whose day is new or changed, or whose state must change (imported, failed); rows that
 * lose their day (blocked or no room; a failed one stays as it is). Kept and unchanged rows are not
 * written. Rows that change alike share one Change (a few hundred for millions of rows).
 */
function planChanges(plan: Plan, m: PlanMailboxes, config: ProgrammeConfig, now: Date): PlanChanges {
  const kinds: Change[] = [];
  const kindIds = new Map<number, number>();
  const rows: number[] = [];
  const kindOfRow: number[] = [];
  for (let i = 0; i < m.address.length; i++) {
    const outcome = plan.outcome[i]!;
    const status = m.status[i]!;
    let day = NO_DAY;
    if (outcome === OUTCOME.kept) continue;
    if (outcome === OUTCOME.placed) {
      day = plan.day[i]!;
      if (!needsWrite(m, i, day)) continue;
    } else if (status === STATUS.failed || (status === STATUS.imported && m.previousDay[i] === NO_DAY)) {
      continue;
    }
    const rescheduled = plan.moved[i] === 1;
    // The day, old state and rescheduled flag decide the change (the new state follows from them).
    const key = ((day + 1) * 4 + status) * 2 + (rescheduled ? 1 : 0);
    let id = kindIds.get(key);
    if (id === undefined) {
      const to = stateAfter(plan, m, i);
      const iso = day === NO_DAY ? null : isoDate(day);
      // A pre-staged mailbox moved keeps its copy: the next daily delta is due, not a new pre-stage.
      const step =
        iso === null
          ? undefined
          : to === 'prestaged'
            ? stepAfter('delta', iso, config.lifecycle, now)
            : firstStep(iso, config.lifecycle, now);
      id = kinds.length;
      kinds.push({
        from: STATE_OF[status]!,
        day: iso,
        to,
        step,
        rescheduled,
        clearFailure: status === STATUS.failed,
      });
      kindIds.set(key, id);
    }
    rows.push(i);
    kindOfRow.push(id);
  }
  return { kinds, rows: Int32Array.from(rows), kind: Int32Array.from(kindOfRow) };
}
