import { userInfo } from 'node:os';
import { Command } from 'commander';
import { TrancheError } from '../errors/tranche-error.js';
import { openProgramme } from './open-programme.js';
import { dayOf } from '../programme/calendar/calendar-day.js';
import { exportCalendar, exportPlan } from '../programme/plan/plan-export.js';
import { planProgramme, type ProgrammePlan } from '../programme/plan/plan-programme.js';
import { addProgrammeOption } from './programme-option.js';
import { parseDayOption } from './date-options.js';
import { formatBytes, formatCount } from './format.js';

interface PlanFlags {
  dryRun?: boolean;
  force?: boolean;
  seed?: string;
  today?: string;
  export?: string;
  calendarCsv?: string;
  json?: boolean;
  programme: string;
}

/** Addresses shown per reason in the summary, and reasons shown in the text (--export has them all). */
const EXAMPLES = 5;
const REASONS = 20;

const size = formatBytes;

/** The unplaced mailboxes grouped by reason, largest group first, with a few addresses each. */
function unplacedByReason(result: ProgrammePlan): { reason: string; count: number; examples: string[] }[] {
  const { plan, mailboxes } = result;
  const groups = plan.reasons.map((reason) => ({ reason, count: 0, examples: [] as string[] }));
  for (let i = 0; i < plan.reason.length; i++) {
    const r = plan.reason[i]!;
    if (r < 0) continue;
    const group = groups[r]!;
    group.count++;
    if (group.examples.length < EXAMPLES) group.examples.push(mailboxes.address[i]!);
  }
  return groups.filter((g) => g.count > 0).sort((a, b) => b.count - a.count);
}

function report(result: ProgrammePlan, flags: PlanFlags, planDate: string): Record<string, unknown> {
  const { plan } = result;
  return {
    planDate,
    seed: result.seed,
    firstDay: plan.firstDay,
    horizonEnd: plan.horizonEnd,
    dryRun: flags.dryRun ?? false,
    force: flags.force ?? false,
    ...plan.counts,
    untouched: result.untouched,
    written: result.written,
    skipped: result.skipped,
    days: plan.days,
    unplacedReasons: unplacedByReason(result),
  };
}

function text(result: ProgrammePlan, flags: PlanFlags, planDate: string): string {
  const { plan } = result;
  const c = plan.counts;
  const lines = [
    `tranche plan: ${formatCount(c.mailboxes)} mailboxes; plan date ${planDate}, seed ${result.seed}; days from ${plan.firstDay} (notice period) to before ${plan.horizonEnd}`,
    `  placed ${formatCount(c.placed)} (${formatCount(c.placed - c.unchanged)} new or moved, ${formatCount(c.unchanged)} unchanged); kept (told) ${formatCount(c.kept)}; told users moved ${formatCount(c.moved)}${flags.force ? ' (--force: each is owed a rescheduled notice)' : ''}; unplaced ${formatCount(c.unplaced)}${result.untouched ? `; ${formatCount(result.untouched)} left alone (cutover, done or leased)` : ''}`,
    flags.dryRun
      ? '  dry run: nothing written'
      : `  written: ${formatCount(result.written)} mailboxes${result.skipped ? `; ${formatCount(result.skipped)} changed under the planner (a runner took them) and were left alone: plan again` : ''}`,
  ];
  if (plan.days.length > 0) {
    lines.push('', 'day             kind       mailboxes / capacity    bytes / capacity');
    for (const d of plan.days) {
      const load = `${formatCount(d.mailboxes)} / ${formatCount(d.capacity)}`;
      const volume = `${size(d.bytes)}${d.byteCapacity === null ? '' : ` / ${size(d.byteCapacity)}`}`;
      const notes = [
        d.kept > 0 && `${formatCount(d.kept)} kept`,
        d.overCapacity && 'OVER CAPACITY (kept told users)',
      ].filter(Boolean);
      lines.push(
        `${d.day} ${d.weekday}  ${d.kind.padEnd(9)}  ${load.padStart(20)}    ${volume}${notes.length ? `  ${notes.join(', ')}` : ''}`,
      );
    }
  }
  const reasons = unplacedByReason(result);
  if (reasons.length > 0) {
    lines.push('', `unplaced (${formatCount(c.unplaced)}):`);
    for (const r of reasons.slice(0, REASONS))
      lines.push(
        `  ${formatCount(r.count).padStart(9)}  ${r.reason}: ${r.examples.join(', ')}${r.count > r.examples.length ? ', …' : ''}`,
      );
  }
  if (reasons.length > REASONS)
    lines.push(
      `  … and ${formatCount(reasons.length - REASONS)} more reasons (--json or --export has them all)`,
    );
  return lines.join('\n');
}

function parseSeed(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seed = Number(value);
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(seed))
    throw new TrancheError('usage', `--seed: '${value}' is not a whole number`);
  return seed;
}

/** `tranche plan`: give every schedulable mailbox a day, within each day's capacity. */
export function planCommand(): Command {
  const command = new Command('plan')
    .description(
      "assign every schedulable mailbox (discovered, logins working) to a day: pilots first, within each day's capacity, after the notice period (docs/planning.md); exit 1 if any could not be placed",
    )
    .option('--dry-run', 'compute and print the plan, write nothing')
    .option(
      '--force',
      're-place users already told their day too (each moved one is owed a rescheduled notice)',
    )
    .option('--seed <n>', 'the seed of the random order (default: schedule.seed in tranche.yaml)')
    .option('--today <date>', 'the plan date, YYYY-MM-DD (default: today, UTC); for a simulated clock')
    .option(
      '--export <file>',
      'write the per-mailbox plan as CSV (address, organisation, day, size_bytes, told_day, state, reason)',
    )
    .option('--calendar-csv <file>', 'write the per-day summary as CSV')
    .option('--json', 'print the report as JSON');
  addProgrammeOption(command);
  command.action(async (flags: PlanFlags) => {
    const today = flags.today === undefined ? undefined : parseDayOption(flags.today, '--today');
    const seed = parseSeed(flags.seed);
    const now = today === undefined ? new Date() : new Date(`${today}T00:00:00.000Z`);
    const planDate = today ?? dayOf(now);
    const programme = await openProgramme(flags.programme);
    try {
      const result = await planProgramme(programme.db, programme.config, {
        planDate,
        now,
        seed,
        force: flags.force ?? false,
        dryRun: flags.dryRun ?? false,
        actor: userInfo().username,
      });
      if (flags.export) exportPlan(flags.export, result);
      if (flags.calendarCsv) exportCalendar(flags.calendarCsv, result.plan.days);
      const out = flags.json
        ? JSON.stringify(report(result, flags, planDate), null, 2)
        : text(result, flags, planDate);
      process.stdout.write(`${out}\n`);
      if (result.plan.counts.unplaced > 0) process.exitCode = 1;
    } finally {
      await programme.db.destroy();
    }
  });
  return command;
}
