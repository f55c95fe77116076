import { Command } from 'commander';
import { closeDay, dayCapacity, openDay } from '../programme/operations/day-operations.js';
import { parseDayOption } from './date-options.js';
import { positive } from './number-options.js';
import { addOperationFlags, runOperation, type OperationFlags } from './operation-flags.js';

/** `tranche day close|open|capacity`: a day that takes nobody more, or another capacity for one day. */
export function dayCommand(): Command {
  const day = new Command('day').description(
    'change one day of the calendar: close, open, capacity (in the audit trail)',
  );
  day.addCommand(
    addOperationFlags(
      new Command('close')
        .description('the day takes nobody more (mailboxes already there keep it)')
        .argument('<day>', 'YYYY-MM-DD')
        .action(async (text: string, flags: OperationFlags) => {
          const d = parseDayOption(text, 'DAY');
          await runOperation(flags, (input) => closeDay(input, d));
        }),
      false,
    ),
  );
  day.addCommand(
    addOperationFlags(
      new Command('open')
        .description('a closed day takes mailboxes again')
        .argument('<day>', 'YYYY-MM-DD')
        .action(async (text: string, flags: OperationFlags) => {
          const d = parseDayOption(text, 'DAY');
          await runOperation(flags, (input) => openDay(input, d));
        }),
      false,
    ),
  );
  day.addCommand(
    addOperationFlags(
      new Command('capacity')
        .description("another capacity for one day than the schedule's")
        .argument('<day>', 'YYYY-MM-DD')
        .requiredOption('--mailboxes <n>', 'mailboxes the day takes')
        .option('--bytes <b>', 'bytes the day takes')
        .action(async (text: string, flags: OperationFlags & { mailboxes: string; bytes?: string }) => {
          const d = parseDayOption(text, 'DAY');
          const mailboxes = Number(flags.mailboxes);
          const bytes = flags.bytes === undefined ? undefined : positive(flags.bytes, '--bytes');
          await runOperation(flags, (input) => dayCapacity(input, d, mailboxes, bytes));
        }),
      false,
    ),
  );
  return day;
}
