import { Command } from 'commander';
import {
  holdOrganisations,
  moveOrganisation,
  releaseOrganisations,
} from '../programme/operations/organisation-operations.js';
import { parseDayOption } from './date-options.js';
import { addOperationFlags, runOperation, type OperationFlags } from './operation-flags.js';

/** `tranche org hold|release|move`: the mailbox operations for whole organisations. */
export function orgCommand(): Command {
  const org = new Command('org').description(
    'act on whole organisations: hold, release, move (in the audit trail)',
  );
  org.addCommand(
    addOperationFlags(
      new Command('hold')
        .description('hold every mailbox of the organisations not yet done (--reason)')
        .argument('<code...>', 'organisation codes')
        .action(async (codes: string[], flags: OperationFlags) => {
          await runOperation(flags, (input) => holdOrganisations(input, codes));
        }),
      false,
    ),
  );
  org.addCommand(
    addOperationFlags(
      new Command('release')
        .description("release the organisations' held mailboxes: planned again at once")
        .argument('<code...>', 'organisation codes')
        .action(async (codes: string[], flags: OperationFlags) => {
          await runOperation(flags, (input) => releaseOrganisations(input, codes));
        }),
      false,
    ),
  );
  org.addCommand(
    addOperationFlags(
      new Command('move')
        .description("pin the organisation's mailboxes not yet past cutover to a day")
        .argument('<code>', 'organisation code')
        .requiredOption('--to <day>', 'the day (YYYY-MM-DD)')
        .action(async (code: string, flags: OperationFlags & { to: string }) => {
          const day = parseDayOption(flags.to, '--to');
          await runOperation(flags, (input) => moveOrganisation(input, code, day));
        }),
      false,
    ),
  );
  return org;
}
