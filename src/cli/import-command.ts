import { basename } from 'node:path';
import { userInfo } from 'node:os';
import { cliAuditEntry } from './record-cli-action.js';
import { Command, Option } from 'commander';
import { openProgramme } from './open-programme.js';
import { importMailboxes, type ImportReport } from '../programme/import/import-mailboxes.js';
import { importOrganisations } from '../programme/import/import-organisations.js';
import { addProgrammeOption } from './programme-option.js';

interface MailboxFlags {
  format?: 'tranche' | 'exchange' | 'imapsync';
  dryRun?: boolean;
  skipInvalid?: string;
  org?: string;
  sourceEndpoint?: string;
  targetEndpoint?: string;
  json?: boolean;
  programme: string;
}

function summary(what: string, report: Omit<ImportReport, 'format'> & { format?: string }): string {
  const verb = report.dryRun ? 'would import' : 'imported';
  const format = report.format ? ` (${report.format} format)` : '';
  return `tranche import ${what}${format}: ${report.rows} rows; ${verb} ${report.inserted} new, ${report.updated} updated${report.rejected ? `; ${report.rejected} rejected` : ''}${report.dryRun ? '; dry run, nothing written' : ''}`;
}

/** `tranche import orgs|mailboxes FILE`. */
export function importCommand(): Command {
  const command = new Command('import').description('bring in organisations and mailbox lists (CSV)');
  const orgs = new Command('orgs')
    .description('import organisations: code,name,admin_contacts,pilot,blackout_dates (docs/import.md)')
    .argument('<file>')
    .option('--dry-run', 'validate and report, write nothing')
    .option('--json', 'print the report as JSON')
    .action(async (file: string, flags: { dryRun?: boolean; json?: boolean; programme: string }) => {
      const programme = await openProgramme(flags.programme);
      try {
        const report = await importOrganisations(programme.db, file, flags.dryRun ?? false, (counts) =>
          cliAuditEntry('import.organisations', basename(file), counts),
        );
        process.stdout.write(`${flags.json ? JSON.stringify(report) : summary('orgs', report)}\n`);
      } finally {
        await programme.db.destroy();
      }
    });
  const mailboxes = new Command('mailboxes')
    .description(
      "import mailboxes: tranche's CSV, Exchange Online's IMAP CSV or imapsync's bulk list (docs/import.md)",
    )
    .argument('<file>')
    .addOption(
      new Option('--format <format>', 'the file format (default: detected)').choices([
        'tranche',
        'exchange',
        'imapsync',
      ]),
    )
    .option('--org <code>', 'the organisation of rows that name none')
    .option(
      '--source-endpoint <name>',
      'the source server of rows that name none (required for the Exchange format)',
    )
    .option(
      '--target-endpoint <name>',
      'the target server of rows that name none (required for the Exchange format)',
    )
    .option('--dry-run', 'validate and report, write nothing')
    .option(
      '--skip-invalid <rejects-file>',
      'import the valid rows; write the others (passwords removed) to this file',
    )
    .option('--json', 'print the report as JSON')
    .action(async (file: string, flags: MailboxFlags) => {
      const programme = await openProgramme(flags.programme);
      try {
        const report = await importMailboxes(programme.db, programme.box, file, {
          format: flags.format,
          dryRun: flags.dryRun ?? false,
          rejectsFile: flags.skipInvalid,
          organisation: flags.org,
          sourceEndpoint: flags.sourceEndpoint,
          targetEndpoint: flags.targetEndpoint,
          actor: userInfo().username,
        });
        process.stdout.write(`${flags.json ? JSON.stringify(report) : summary('mailboxes', report)}\n`);
        if (report.rejected > 0) process.exitCode = 1;
      } finally {
        await programme.db.destroy();
      }
    });
  for (const sub of [orgs, mailboxes]) command.addCommand(addProgrammeOption(sub));
  return command;
}
