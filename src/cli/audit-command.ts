import { Command } from 'commander';
import { TrancheError } from '../errors/tranche-error.js';
import { openProgramme } from './open-programme.js';
import { auditTrail, formatAuditTrail } from '../programme/operations/audit-trail.js';
import { parseMomentOption } from './date-options.js';
import { addProgrammeOption } from './programme-option.js';

/** `tranche audit`: every change people made to the programme, newest first. */
export function auditCommand(): Command {
  return addProgrammeOption(
    new Command('audit')
      .description('the audit trail: when, who, what, why, before → after (newest first)')
      .option('--mailbox <address>', "one mailbox's trail")
      .option('--org <code>', "an organisation's trail (its mailboxes too)")
      .option('--since <time>', 'from this moment (YYYY-MM-DD or an ISO time)')
      .option('--limit <n>', 'at most this many', '1000')
      .option('--json', 'print JSON')
      .action(
        async (flags: {
          mailbox?: string;
          org?: string;
          since?: string;
          limit: string;
          json?: boolean;
          programme: string;
        }) => {
          const limit = Number(flags.limit);
          if (!Number.isInteger(limit) || limit < 1)
            throw new TrancheError('usage', '--limit must be a whole number above 0');
          const since =
            flags.since === undefined ? undefined : parseMomentOption(flags.since, '--since').toISOString();
          const programme = await openProgramme(flags.programme);
          try {
            const records = await auditTrail(programme.db, {
              subject: flags.mailbox,
              organisation: flags.org,
              since,
              limit,
            });
            process.stdout.write(
              `${flags.json ? JSON.stringify(records, null, 2) : formatAuditTrail(records)}\n`,
            );
          } finally {
            await programme.db.destroy();
          }
        },
      ),
  );
}
