import { Command } from 'commander';
import { includeMailboxes, releaseMailboxes } from '../programme/operations/bring-back.js';
import { excludeMailboxes, holdMailboxes } from '../programme/operations/hold-mailboxes.js';
import { moveMailboxes } from '../programme/operations/move-mailboxes.js';
import type { OperationInput, OperationResult } from '../programme/operations/operation.js';
import { retryMailboxes } from '../programme/operations/retry-mailboxes.js';
import { parseDayOption } from './date-options.js';
import { addOperationFlags, addressesOf, runOperation, type OperationFlags } from './operation-flags.js';

type MailboxOperation = (input: OperationInput, addresses: readonly string[]) => Promise<OperationResult>;

/** One `tranche mailbox NAME ADDRESS…` subcommand over OPERATE. */
function sub(name: string, description: string, operate: MailboxOperation): Command {
  return addOperationFlags(
    new Command(name)
      .description(description)
      .argument('[address...]', 'mailbox addresses')
      .action(async (addresses: string[], flags: OperationFlags) => {
        const all = addressesOf(addresses, flags);
        await runOperation(flags, (input) => operate(input, all));
      }),
    true,
  );
}

/** `tranche mailbox retry|move|hold|release|exclude|include`: steer single mailboxes, all or nothing. */
export function mailboxCommand(): Command {
  const mailbox = new Command('mailbox').description(
    'act on mailboxes: retry, move, hold, release, exclude, include (all or nothing; in the audit trail)',
  );
  const move = addOperationFlags(
    new Command('move')
      .description(
        'pin mailboxes to a day (kept there even over capacity); told users get a rescheduled notice',
      )
      .argument('[address...]', 'mailbox addresses')
      .requiredOption('--to <day>', 'the day (YYYY-MM-DD)')
      .action(async (addresses: string[], flags: OperationFlags & { to: string }) => {
        const all = addressesOf(addresses, flags);
        const day = parseDayOption(flags.to, '--to');
        await runOperation(flags, (input) => moveMailboxes(input, all, day));
      }),
    true,
  );
  mailbox.addCommand(
    sub(
      'retry',
      'a failed mailbox goes again: on its day if still ahead with room, else the next day with room',
      retryMailboxes,
    ),
  );
  mailbox.addCommand(move);
  mailbox.addCommand(
    sub(
      'hold',
      'hold mailboxes (--reason): no day, no step, no notice until released; a running step stops at a safe point',
      holdMailboxes,
    ),
  );
  mailbox.addCommand(sub('release', 'release held mailboxes: planned again at once', releaseMailboxes));
  mailbox.addCommand(
    sub(
      'exclude',
      'never migrate these mailboxes (--reason); counted apart in every report',
      excludeMailboxes,
    ),
  );
  mailbox.addCommand(sub('include', 'bring excluded mailboxes back into the programme', includeMailboxes));
  return mailbox;
}
