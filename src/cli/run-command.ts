import { Command } from 'commander';
import { TrancheError } from '../errors/tranche-error.js';
import { createLogger } from '../log/logger.js';
import { openProgramme } from './open-programme.js';
import { programmeSummary } from '../report/programme-summary.js';
import { SimulatedClock, SystemClock, type Clock } from '../limits/clock.js';
import { runProgramme, type RunTotals } from '../runner/runner.js';
import { addProgrammeOption } from './programme-option.js';
import { parseMomentOption } from './date-options.js';
import { EXIT } from './exit-codes.js';
import { positive } from './number-options.js';
import { stepLine } from './step-line.js';
import { drainOnSignals } from './stop-signals.js';
import { formatProgrammeSummary } from './status-command.js';

interface RunFlags {
  clockStart?: string;
  clockSpeed: string;
  until?: string;
  follow?: boolean;
  mailboxes: string;
  quiet?: boolean;
  json?: boolean;
  programme: string;
}

function clockFrom(flags: RunFlags): Clock {
  const speed = positive(flags.clockSpeed, '--clock-speed');
  if (!flags.clockStart) {
    if (flags.clockSpeed !== '1') throw new TrancheError('usage', '--clock-speed needs --clock-start');
    return new SystemClock();
  }
  return new SimulatedClock(parseMomentOption(flags.clockStart, '--clock-start'), speed);
}

function summary(totals: RunTotals): string {
  const ended =
    totals.ended === 'finished'
      ? 'the calendar is carried out: no mailbox has a step left'
      : totals.ended === 'held'
        ? `only cutovers are left, and they wait for a soak go on ${totals.heldCutovers.join(', ')} (lifecycle.requireSoak; see tranche status)`
        : totals.ended === 'until'
          ? 'stopped at --until'
          : 'stopped on request; run again to go on';
  return `tranche run: ${ended}. ${totals.steps} steps: ${totals.ok} ok, ${totals.retry} to retry, ${totals.failed} failed, ${totals.interrupted} interrupted${totals.waiting ? `, ${totals.waiting} waiting for a daily upload allowance` : ''}`;
}

/** `tranche run`: carry the calendar out in this process, on the programme's state store. */
export function runCommand(): Command {
  const command = new Command('run')
    .description(
      "carry out the calendar: pre-stage, delta passes, cutover, final pass and verify for each planned mailbox, within every endpoint's limits; stops when no mailbox has work left (see --follow)",
    )
    .option(
      '--clock-start <date>',
      'run on a simulated clock starting at this date or moment (UTC), for trials and demos',
    )
    .option('--clock-speed <n>', 'simulated seconds per real second (idle stretches are skipped anyway)', '1')
    .option('--until <date>', 'stop when the programme clock reaches this date or moment')
    .option('--follow', 'keep running when no mailbox has work left, waiting for new plans')
    .option(
      '--mailboxes <n>',
      "mailboxes copied at once by this process, beside each endpoint's limits",
      '16',
    )
    .option('--quiet', 'print only the final summary, not each step')
    .option('--json', 'print the totals as JSON');
  addProgrammeOption(command);
  command.action(async (flags: RunFlags) => {
    const clock = clockFrom(flags);
    const until = flags.until ? parseMomentOption(flags.until, '--until') : undefined;
    const maxMailboxes = positive(flags.mailboxes, '--mailboxes');
    const programme = await openProgramme(flags.programme);
    const controller = new AbortController();
    const stopListening = drainOnSignals('tranche run', controller);
    try {
      const totals = await runProgramme({
        db: programme.db,
        box: programme.box,
        config: programme.config,
        templates: programme.templates,
        clock,
        logger: createLogger(),
        signal: controller.signal,
        follow: flags.follow,
        until,
        maxMailboxes,
        onStep:
          flags.quiet || flags.json
            ? undefined
            : (mailbox, step, result) => process.stdout.write(stepLine(clock.now(), step, result, mailbox)),
      });
      process.stdout.write(`${flags.json ? JSON.stringify(totals) : summary(totals)}\n`);
      if (!flags.json) {
        // The programme as it stands at the end of the run, on the run's own clock.
        const report = await programmeSummary(programme.db, programme.config, clock.now());
        process.stdout.write(`\n${formatProgrammeSummary(report)}\n`);
      }
      if (totals.failed > 0) process.exitCode = EXIT.partial;
    } finally {
      stopListening();
      await programme.db.destroy();
    }
  });
  return command;
}
